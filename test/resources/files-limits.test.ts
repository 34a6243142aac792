import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, type TestAccount } from '../helpers/fixtures.ts'

// A 1×1 PNG; with bytes after it, still a PNG by its signature.
const png = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4e40000000049454e44ae426082',
  'hex'
)
const pngOf = (size: number) => Buffer.concat([png, randomBytes(size - png.length)])
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
const vcard = Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Admin\r\nEND:VCARD\r\n')
const mp3 = Buffer.concat([
  Buffer.from('4944330300000000000a', 'hex'),
  Buffer.alloc(10),
  Buffer.from('fffb9064', 'hex')
])
// A PNG that is HTML too: a browser sniffing it, or told it is HTML, would run its script.
const polyglot = Buffer.concat([png, Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>')])

/** An address of its own, so counters kept in Redis by other runs or files never count against it. */
const freshAddress = () => `10.${randomBytes(3).join('.')}`

type App = Awaited<ReturnType<typeof buildTestApp>>

async function share(app: App, account: TestAccount, bytes: Buffer) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/tools/sharefile',
    headers: { ...account.headers, 'content-type': 'application/octet-stream' },
    payload: bytes
  })
  return { status: response.statusCode, body: response.json() }
}

async function storedFor(app: App, accountId: string) {
  const row = await app.db
    .selectFrom('shared_files')
    .select((eb) => [
      eb.fn.countAll<string>().as('files'),
      eb.fn.coalesce(eb.fn.sum<string>('size'), eb.lit(0)).as('bytes')
    ])
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow()
  return { files: Number(row.files), bytes: Number(row.bytes) }
}

const pathOf = (link: string) => new URL(link).pathname

t.test('an account stores at most its quota of unexpired files', async (t) => {
  const app = await buildTestApp(t, { PARLEY_SHARED_FILE_MAX_BYTES: '3000', PARLEY_SHARED_FILE_QUOTA_BYTES: '8000' })
  const account = await createTestAccount(app)
  for (let i = 0; i < 3; i++) t.equal((await share(app, account, pngOf(2500))).status, 200, `file ${i + 1} fits`)
  const before = await storedFor(app, account.accountId)
  t.same(before, { files: 3, bytes: 7500 })

  const refused = await share(app, account, pngOf(600))
  t.equal(refused.status, 413)
  t.match(refused.body, {
    success: false,
    error: { code: 'FILE-006', message: /hold 7500 of 8000 bytes; this file \(600 bytes\) does not fit/ }
  })
  t.same(await storedFor(app, account.accountId), before, 'nothing stored when refused')
  t.equal((await share(app, account, pngOf(500))).status, 200, 'a file that still fits is taken')

  // Expired files no longer count, even before housekeeping removes them.
  await app.db
    .updateTable('shared_files')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('account_id', '=', account.accountId)
    .execute()
  t.equal((await share(app, account, pngOf(2500))).status, 200, 'room again once older files expire')

  const other = await createTestAccount(app)
  t.equal((await share(app, other, pngOf(2500))).status, 200, 'another account has its own quota')
})

t.test('concurrent uploads do not overshoot the quota', async (t) => {
  const app = await buildTestApp(t, { PARLEY_SHARED_FILE_MAX_BYTES: '3000', PARLEY_SHARED_FILE_QUOTA_BYTES: '8000' })
  const account = await createTestAccount(app)
  const answers = await Promise.all(Array.from({ length: 12 }, () => share(app, account, pngOf(2500))))
  const statuses = answers.map((answer) => answer.status).sort()
  t.same(statuses, [200, 200, 200, ...Array<number>(9).fill(413)], 'three fit, the rest are refused')
  t.ok(
    answers.filter((answer) => answer.status === 413).every((answer) => answer.body.error.code === 'FILE-006'),
    'each refusal is FILE-006'
  )
  t.same(await storedFor(app, account.accountId), { files: 3, bytes: 7500 })
})

t.test('downloads are throttled per client address, on their own budget', async (t) => {
  const app = await buildTestApp(t, {
    PARLEY_SHARED_FILE_RATE_LIMIT_MAX: '3',
    PARLEY_ANONYMOUS_RATE_LIMIT_MAX: '2',
    PARLEY_RATE_LIMIT_WINDOW_SECONDS: '60'
  })
  const account = await createTestAccount(app)
  const link = pathOf((await share(app, account, png)).body.data.link)
  const carrier = freshAddress()
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await app.inject({ url: link, remoteAddress: carrier })).statusCode)
  t.same(statuses, [200, 200, 200, 429], 'three downloads a window, more than the anonymous limit of two')
  const limited = await app.inject({ url: link, remoteAddress: carrier })
  t.equal(limited.json().error.code, 'REQ-006')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back')
  t.equal(
    (await app.inject({ url: '/v1/missing', remoteAddress: carrier })).statusCode,
    404,
    'the anonymous budget is untouched'
  )
  const unknown = await app.inject({ url: '/files/no-such-token', remoteAddress: carrier })
  t.equal(unknown.statusCode, 429, 'guessing tokens counts too')
  t.equal(
    (await app.inject({ url: link, remoteAddress: freshAddress() })).statusCode,
    200,
    'another address has its own budget'
  )
})

t.test('with Redis, instances share one download budget per address', { skip: !process.env.REDIS_URL }, async (t) => {
  const env = {
    DATABASE_URL: await createTestDatabase(t),
    REDIS_URL: process.env.REDIS_URL!,
    PARLEY_SHARED_FILE_RATE_LIMIT_MAX: '2'
  }
  const one = await buildTestApp(t, env)
  const two = await buildTestApp(t, env)
  const account = await createTestAccount(one)
  const link = pathOf((await share(one, account, png)).body.data.link)
  const address = freshAddress()
  t.equal((await one.inject({ url: link, remoteAddress: address })).statusCode, 200)
  t.equal((await two.inject({ url: link, remoteAddress: address })).statusCode, 200)
  t.equal((await one.inject({ url: link, remoteAddress: address })).statusCode, 429)
})

t.test('downloads are sandboxed: inline only for images, audio and video, never sniffed', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const cases = [
    { bytes: polyglot, type: 'image/png', disposition: /^inline; filename="[\w-]{12}\.png"$/ },
    { bytes: mp3, type: 'audio/mpeg', disposition: /^inline; filename="[\w-]{12}\.mp3"$/ },
    { bytes: pdf, type: 'application/pdf', disposition: /^attachment; filename="[\w-]{12}\.pdf"$/ },
    { bytes: vcard, type: 'text/vcard', disposition: /^attachment; filename="[\w-]{12}\.vcf"$/ }
  ]
  for (const { bytes, type, disposition } of cases) {
    const shared = await share(app, account, bytes)
    t.equal(shared.status, 200, type)
    const served = await app.inject({ url: pathOf(shared.body.data.link) })
    t.equal(served.statusCode, 200)
    t.equal(served.headers['content-type'], type)
    t.match(served.headers['content-disposition'], disposition, `${type}: ${served.headers['content-disposition']}`)
    t.equal(served.headers['content-security-policy'], 'sandbox', type)
    t.equal(served.headers['x-content-type-options'], 'nosniff', type)
    t.same(served.rawPayload, bytes, `${type}: the bytes as stored`)
  }
})

t.test('a large file streams over a real socket, slice by slice, byte for byte', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  // Not a multiple of the 64 KiB slice, so the last slice is a short one.
  const file = pngOf(5 * 1024 * 1024 - 12345)
  const { body } = await share(app, account, file)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}${pathOf(body.data.link)}`

  const answer = await request(url)
  t.equal(answer.statusCode, 200)
  t.equal(answer.headers['content-length'], String(file.length))
  t.ok(Buffer.from(await answer.body.arrayBuffer()).equals(file), 'the same bytes')
  const head = await request(url, { method: 'HEAD' })
  t.equal(head.statusCode, 200)
  t.equal(head.headers['content-length'], String(file.length))
  await head.body.dump()

  // Removed while a reader is part way through: the answer ends short of its length, never padded or hung.
  const slow = await request(url)
  await new Promise((resolve) => slow.body.once('data', resolve))
  slow.body.pause()
  await app.db.deleteFrom('shared_files').where('account_id', '=', account.accountId).execute()
  let received = 0
  const cut = await new Promise<string>((resolve) => {
    slow.body.on('data', (chunk: Buffer) => (received += chunk.length))
    slow.body.on('error', (error) => resolve(error.message))
    slow.body.on('end', () => resolve('ended'))
    slow.body.resume()
  })
  t.not(cut, 'ended', `the response was cut short (${cut}) after ${received} more bytes`)
  t.ok(received < file.length, 'short of the whole file')
})
