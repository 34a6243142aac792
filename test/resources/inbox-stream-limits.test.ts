import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { eventually, sandboxSender } from '../helpers/messaging.ts'
import { openEventStream, openStalledStream } from '../helpers/sse.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const received = (text: string) =>
  [...text.matchAll(/^id: (\d+)\nevent: message-received$/gm)].map(([, id]) => Number(id))

t.test('a credential and a user hold a bounded number of streams on each instance', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const env = {
    DATABASE_URL: databaseUrl,
    PARLEY_SSE_MAX_STREAMS_PER_CREDENTIAL: '3',
    PARLEY_SSE_MAX_STREAMS_PER_USER: '1'
  }
  const one = await buildTestApp(t, env)
  const two = await buildTestApp(t, env)
  const account = await createTestAccount(one)
  const url = async (app: typeof one) =>
    `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1/accounts/${account.accountId}/inbox/events`
  const [onOne, onTwo] = [await url(one), await url(two)]
  const reader = await createTestUser(one, account.accountId, 'Read Only')
  const streams: Array<Awaited<ReturnType<typeof openEventStream>>> = []
  t.teardown(async () => {
    for (const stream of streams) await stream.close()
  })
  const open = async (at: string, headers: Record<string, string>) => {
    const stream = await openEventStream(at, headers)
    streams.push(stream)
    return stream
  }

  t.equal((await open(onOne, reader.headers)).status, 200, 'a Read Only user opens a stream')
  const overUser = await open(onOne, reader.headers)
  t.equal(overUser.status, 429, 'and is refused a second one')
  t.match(overUser.error, {
    success: false,
    error: { code: 'INBOX-001', message: 'This user already has 1 open inbox event streams on this server' }
  })
  const named = await open(onOne, { ...account.headers, 'x-parley-user-email': reader.email })
  t.equal(named.status, 429, 'whichever credential acts as them')
  t.match(named.error, { error: { code: 'INBOX-001' } })

  const wide = [
    await open(onOne, account.headers),
    await open(onOne, account.headers),
    await open(onOne, account.headers)
  ]
  t.same(
    wide.map((stream) => stream.status),
    [200, 200, 200],
    'the refused stream took no place of the credential'
  )
  const overCredential = await open(onOne, account.headers)
  t.equal(overCredential.status, 429)
  t.match(overCredential.error, {
    error: { code: 'INBOX-001', message: 'This credential already has 3 open inbox event streams on this server' }
  })

  await wide[0]!.close()
  const next = await eventually(
    () => open(onOne, account.headers),
    (stream) => stream.status === 200,
    10_000
  )
  t.equal(next.status, 200, 'closing a stream frees its place')
  t.notOk(wide[1]!.ended, 'the others stay open')
  t.equal((await open(onTwo, account.headers)).status, 200, 'another instance counts its own streams')
})

t.test('a client that does not read is cut off past the byte bound; a replay waits for a slow one', async (t) => {
  const app = await buildTestApp(t, {
    PARLEY_SSE_MAX_STREAMS_PER_CREDENTIAL: '1',
    PARLEY_SSE_CLIENT_BUFFER_BYTES: '16384',
    PARLEY_SSE_CLIENT_BUFFER: '100000',
    PARLEY_RATE_LIMIT_MAX: '100000'
  })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const sender = await sandboxSender(app, account)
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1/accounts/${account.accountId}/inbox/events`
  // Each message-received event carries its media's addresses: about 200 KB an event fills buffers quickly.
  const message = {
    from: '+12025553001',
    to: sender.number,
    message: 'A picture',
    media: Array.from({ length: 10 }, (_, index) => ({ url: `https://example.com/${index}/${'a'.repeat(20_000)}` }))
  }

  const stalled = await openStalledStream(url, account.headers)
  t.teardown(() => stalled.close())
  t.equal(stalled.status, 200)
  // The sockets' buffers take the first few MB; past them the server holds what is unsent, up to 16 KiB. The stream's place is free again once the server has cut the client off.
  let sent = 0
  let probe: Awaited<ReturnType<typeof openEventStream>> | undefined
  while (sent < 300) {
    for (let batch = 0; batch < 5; batch++, sent++) await created(api('POST', '/sandbox/inbound', message))
    probe = await openEventStream(url, account.headers)
    if (probe.status === 200) break
    t.equal(probe.status, 429)
    await probe.close()
  }
  t.teardown(() => probe?.close())
  t.equal(probe?.status, 200, `the server let go of the client that does not read (after ${sent} messages)`)
  const got = await stalled.read()
  t.ok(stalled.ended, 'its connection was ended')
  t.ok(received(got).length < sent, `it received ${received(got).length} of the ${sent} messages`)

  await probe!.close()
  const replaying = await eventually(
    () => openStalledStream(url, { ...account.headers, 'last-event-id': '0' }),
    (stream) => {
      if (stream.status !== 200) stream.close()
      return stream.status === 200
    },
    10_000
  )
  t.teardown(() => replaying.close())
  t.equal(replaying.status, 200)
  // Many times the byte bound is waiting for it: it is sent as the client reads, not cut off.
  await sleep(1000)
  const replayed = received(await replaying.read((sofar) => received(sofar).length >= sent))
  t.equal(replayed.length, sent, 'a client that reads late receives the whole replay')
  t.same(
    replayed,
    [...replayed].sort((a, b) => a - b),
    'in order'
  )
  t.notOk(replaying.ended, 'and stays connected')
})
