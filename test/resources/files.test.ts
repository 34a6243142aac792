import t from 'tap'
import { purgeExpiredFiles } from '../../src/resources/files/files.repository.ts'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'

// A 1×1 PNG.
const png = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4e40000000049454e44ae426082',
  'hex'
)
const vcard = Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Admin\r\nTEL:+12025550100\r\nEND:VCARD\r\n')

function multipart(field: string, filename: string, type: string, content: Buffer) {
  const boundary = 'parley-test-boundary'
  return {
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`
      ),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`)
    ]),
    contentType: `multipart/form-data; boundary=${boundary}`
  }
}

t.test('shared files', async (t) => {
  const app = await buildTestApp(t, { ...quickSandbox, PARLEY_SHARED_FILE_MAX_BYTES: '2048' })
  const account = await createTestAccount(app)
  const share = async (payload: Buffer, contentType: string, headers = account.headers) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/tools/sharefile',
      headers: { ...headers, 'content-type': contentType },
      payload
    })
    return { status: response.statusCode, body: response.json() }
  }
  const fetchLink = (link: string) => app.inject({ method: 'GET', url: new URL(link).pathname })

  t.test('an octet-stream body gets a link that serves it, without a token, for seven days', async (t) => {
    const { status, body } = await share(png, 'application/octet-stream')
    t.equal(status, 200)
    t.equal(body.success, true)
    t.match(body.data.link, /^http:\/\/localhost(:80)?\/files\/[\w-]{43}$/)
    const days = (new Date(body.data.expires).getTime() - Date.now()) / 86_400_000
    t.ok(days > 6.99 && days <= 7, 'expires in seven days by default')
    const served = await fetchLink(body.data.link)
    t.equal(served.statusCode, 200)
    t.equal(served.headers['content-type'], 'image/png')
    t.same(served.rawPayload, png)
    t.equal((await fetchLink(body.data.link.replace(/.{4}$/, 'AAAA'))).json().error.code, 'FILE-004')
  })

  t.test('a multipart upload (field media) is typed by its bytes, not by what it declares', async (t) => {
    const card = multipart('media', 'ada.vcf', 'application/octet-stream', vcard)
    const shared = await share(card.payload, card.contentType)
    t.equal(shared.status, 200)
    t.equal((await fetchLink(shared.body.data.link)).headers['content-type'], 'text/vcard')
    const disguised = multipart('media', 'photo.png', 'image/png', Buffer.from('MZ\x90\x00 not really an image'))
    const refused = await share(disguised.payload, disguised.contentType)
    t.equal(refused.status, 415)
    t.match(refused.body, { success: false, error: { code: 'FILE-001' } })
    const text = await share(Buffer.from('hello'), 'application/octet-stream')
    t.equal(text.body.error.code, 'FILE-001')
  })

  t.test('size limit, empty bodies, other content types and missing tokens are clear 4xx answers', async (t) => {
    const big = await share(Buffer.concat([png, Buffer.alloc(4096)]), 'application/octet-stream')
    t.equal(big.status, 413)
    t.equal(big.body.error.code, 'FILE-002')
    const bigPart = multipart('media', 'big.png', 'image/png', Buffer.concat([png, Buffer.alloc(4096)]))
    t.equal((await share(bigPart.payload, bigPart.contentType)).body.error.code, 'FILE-002')
    t.equal((await share(Buffer.alloc(0), 'application/octet-stream')).body.error.code, 'FILE-003')
    const json = await share(Buffer.from('{}'), 'application/json')
    t.equal(json.status, 400)
    t.equal(json.body.error.code, 'FILE-003')
    const anonymous = await share(png, 'application/octet-stream', {})
    t.equal(anonymous.status, 401)
    const readOnly = await createTestUser(app, account.accountId, 'Read Only')
    t.equal((await share(png, 'application/octet-stream', readOnly.headers)).status, 403)
  })

  t.test('an expired link answers 410, and housekeeping removes its bytes (then 404)', async (t) => {
    const { body } = await share(png, 'application/octet-stream')
    const token = new URL(body.data.link).pathname.split('/').at(-1)!
    await app.db
      .updateTable('shared_files')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token', '=', token)
      .execute()
    const expired = await fetchLink(body.data.link)
    t.equal(expired.statusCode, 410)
    t.equal(expired.json().error.code, 'FILE-005')
    t.ok((await purgeExpiredFiles(app.db)) >= 1)
    t.equal((await fetchLink(body.data.link)).statusCode, 404)
  })

  t.test('the link works as media in a send', async (t) => {
    const api = caller(app, account)
    const { senderId } = await sandboxSender(app, account)
    await created(api('PUT', `/senders/${senderId}`, { capabilities: ['SMS', 'MMS'] }))
    const { body } = await share(png, 'application/octet-stream')
    const sent = await created(
      api('POST', '/messages', {
        contacts: [{ mobile: { number: '+12025550177', country: 'US' } }],
        template: 'Look',
        media: [{ url: body.data.link }]
      })
    )
    t.match(sent.messages[0], { type: 'MMS', media: [{ url: body.data.link }] })
    const [template] = await created(
      api('POST', '/templates', { name: 'With a picture', template: 'Look again', media: [{ url: body.data.link }] })
    )
    t.match(template.media, [{ url: body.data.link }])
    const campaign = await created(
      api('POST', '/campaigns', {
        name: 'Pictures',
        templateId: template.id,
        filters: { contacts: [sent.messages[0].contact.id] }
      })
    )
    const run = await created(api('POST', `/campaigns/${campaign.id}/execute`))
    const [message] = await created(api('GET', `/messages?jobId=${run.id}`))
    t.match(message, { type: 'MMS', message: 'Look again', media: [{ url: body.data.link }] })
  })
})

t.test('links use PARLEY_PUBLIC_URL when it is set', async (t) => {
  const app = await buildTestApp(t, { PARLEY_PUBLIC_URL: 'https://sms.example.com/parley' })
  const account = await createTestAccount(app)
  const response = await app.inject({
    method: 'POST',
    url: '/v1/tools/sharefile',
    headers: { ...account.headers, 'content-type': 'application/octet-stream' },
    payload: png
  })
  t.match(response.json().data.link, /^https:\/\/sms\.example\.com\/parley\/files\/[\w-]{43}$/)
})
