import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

// Each class of bad input the fuzz test (test/fuzz/api.test.ts) looks for, one example each: a 400
// family answer in the envelope naming the problem, and nothing stored.

t.test('bad input is refused in the envelope and stores nothing', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const contactCount = async () => (await api('GET', '/contacts?limit=1')).body.pagination.totalCount
  const postContacts = (contentType: string, payload: string) =>
    api('POST', '/contacts', payload, { ...account.headers, 'content-type': contentType })
  await created(api('POST', '/contacts', { mobile: { number: '+12025550100', country: 'US' } }))

  t.test('NUL bytes in the body, the query and the path', async (t) => {
    const body = await api('POST', '/contacts', { mobile: { number: '+12025550101' }, firstName: 'a\u0000b' })
    t.equal(body.status, 400)
    t.same(body.body.error, { code: 'REQ-008', message: 'body.firstName contains a NUL byte' })
    const query = await api('GET', '/contacts?firstName=%00')
    t.same(query.body.error, { code: 'REQ-008', message: 'querystring.firstName contains a NUL byte' })
    const path = await api('GET', '/contacts/%00')
    t.same(path.body.error, { code: 'REQ-008', message: 'params.contactId contains a NUL byte' })
    const template = await api('POST', '/templates', { name: 'a\u0000b', template: 'hi' })
    t.equal(template.body.error.code, 'REQ-008')
    t.equal(await contactCount(), 1, 'nothing stored')
  })

  t.test('lone UTF-16 surrogates in fields stored as JSON', async (t) => {
    const names = await api('POST', '/contacts', {
      mobile: { number: '+12025550102', country: 'US' },
      tags: [{ tag: 'x\ud800' }]
    })
    t.same(names.body.error, { code: 'REQ-008', message: 'body.tags[0].tag contains an unpaired UTF-16 surrogate' })
    const template = await api('POST', '/templates', { name: 'ok', template: '\udfff' })
    t.equal(template.status, 400)
    t.equal(template.body.error.code, 'REQ-008')
    const key = await api('POST', '/contacts', {
      mobile: { number: '+12025550103', country: 'US' },
      attributes: { ['\ud800']: 1 }
    })
    t.equal(key.body.error.code, 'REQ-008', 'property names are checked too')
    t.equal(await contactCount(), 1)
  })

  t.test('numbers out of range in pagination', async (t) => {
    for (const query of [
      'offset=99999999999999999999',
      'limit=Infinity',
      'limit=1e309',
      'offset=-Infinity',
      'offset=-1'
    ]) {
      const response = await api('GET', `/contacts?${query}`)
      t.equal(response.status, 400, query)
      t.equal(response.body.error.code, query.startsWith('offset=-1') ? 'REQ-001' : response.body.error.code)
      t.match(response.body.error.message, /^querystring\.(offset|limit) /, query)
    }
    const deepest = await api('GET', '/contacts?offset=1000000')
    t.equal(deepest.status, 200, 'the maximum offset itself is fine')
  })

  t.test('an empty value list in a send filter', async (t) => {
    const response = await api('POST', '/messages', {
      template: 'Hi',
      filters: { attributes: [{ name: 'plan', comparator: '=', value: [] }] }
    })
    t.equal(response.status, 400)
    t.equal(response.body.error.code, 'REQ-001')
    t.match(response.body.error.message, /^body\.filters\.attributes\.0\.value /)
  })

  t.test('deep nesting is refused by the JSON parser', async (t) => {
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)
    for (const path of ['/messages', '/sandbox/inbound', '/contacts']) {
      const response = await api('POST', path, `{"template":"x","contacts":[${deep}]}`, {
        ...account.headers,
        'idempotency-key': 'deep'
      })
      t.equal(response.status, 400, path)
      t.same(response.body.error, { code: 'REQ-002', message: 'The JSON body nests deeper than 64 levels' })
    }
  })

  t.test('content types a route does not take', async (t) => {
    const form = await postContacts('application/x-www-form-urlencoded', 'mobile=%2B12025550104')
    t.equal(form.status, 415)
    t.equal(form.body.error.code, 'REQ-004')
    const noBoundary = await postContacts('multipart/form-data', 'no boundary')
    t.equal(noBoundary.status, 400)
    t.equal(noBoundary.body.error.code, 'REQ-002')
    const truncated = await postContacts(
      'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nmobile,country\r\n+1202'
    )
    t.equal(truncated.status, 400)
    t.equal(truncated.body.error.code, 'REQ-002')
    t.equal(await contactCount(), 1)
  })

  t.test('a CSV row with a NUL byte is reported; the other rows are imported', async (t) => {
    const response = await postContacts(
      'text/csv',
      'mobile,country,firstName\n+12025550105,US,a\u0000b\n+12025550106,US,Bea\n'
    )
    t.equal(response.status, 201)
    t.match(response.body.data, { errors: [{ row: 2, error: { code: 'IMP-011' } }] })
    t.equal(await contactCount(), 2, 'the good row is imported')
  })

  t.test('framework errors in the envelope, without echoing the request', async (t) => {
    const badEncoding = await api('GET', '/contacts/%E0%A4%A')
    t.equal(badEncoding.status, 400)
    t.same(badEncoding.body, { success: false, error: { code: 'REQ-009', message: 'Malformed request' } })
    const longId = 'z'.repeat(200)
    const tooLong = await api('GET', `/contacts/${longId}`)
    t.equal(tooLong.status, 414)
    t.equal(tooLong.body.error.code, 'REQ-010')
    t.notMatch(JSON.stringify(tooLong.body), longId, 'the URL is not echoed')
  })

  t.test('media URLs are http or https only', async (t) => {
    for (const url of ['file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)']) {
      const response = await api('POST', '/templates', {
        name: 'media',
        template: 'hi',
        media: [{ url }]
      })
      t.equal(response.status, 400, url)
      t.match(response.body.error.message, /^body\.media\.0\.url /)
    }
    const https = await api('POST', '/templates', {
      name: 'media',
      template: 'hi',
      media: [{ url: 'https://example.com/a.png' }]
    })
    t.equal(https.status, 201)
  })

  t.test('senders name a known carrier', async (t) => {
    const create = await api('POST', '/senders', { number: '+12025550107', carrier: 'nope', status: 'active' })
    t.equal(create.status, 400)
    t.equal(create.body.error.code, 'SNDR-005')
    t.equal((await api('GET', '/senders')).body.pagination.totalCount, 0, 'nothing stored')
    const sender = await sandboxSender(app, account)
    const change = await api('PUT', `/senders/${sender.senderId}`, { carrier: 'nope' })
    t.equal(change.status, 400)
    t.equal(change.body.error.code, 'SNDR-005')
    t.equal((await api('GET', `/senders/${sender.senderId}`)).body.data.carrier, 'sandbox')
  })
})
