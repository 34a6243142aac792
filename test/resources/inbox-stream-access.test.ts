import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, createTestUser, requestToken } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { openEventStream } from '../helpers/sse.ts'

// Streams are held on one instance, access is changed through the other: the bound is the API's own
// revocation bound, PARLEY_CREDENTIAL_CACHE_SECONDS, shortened here so the test is quick.
const BOUND_MS = 2000
// What a loaded test machine may add to the bound: scheduling, the re-check's own queries.
const SLACK_MS = 2500

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How long the stream took to end, failing the wait once the bound and its slack have passed. */
async function endsWithin(stream: { ended: boolean }, since: number): Promise<number> {
  while (!stream.ended && Date.now() - since < BOUND_MS + SLACK_MS) await sleep(50)
  return Date.now() - since
}

t.test('a change of access made through one instance reaches streams held on another', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const env = { ...quickSandbox, DATABASE_URL: databaseUrl, PARLEY_CREDENTIAL_CACHE_SECONDS: String(BOUND_MS / 1000) }
  const changing = await buildTestApp(t, env)
  const holding: FastifyInstance = await buildTestApp(t, env)
  const url = `${await holding.listen({ port: 0, host: '127.0.0.1' })}/v1/accounts`
  const account = await createTestAccount(changing)
  const api = caller(changing, account)
  const events = `${url}/${account.accountId}/inbox/events`
  const support = await sandboxSender(changing, account)
  const salesGroup = await created(api('POST', '/groups', { name: 'Sales' }))
  const sales = await sandboxSender(changing, account, { groupId: salesGroup.id })
  const inject = (to: string, from: string, message: string) =>
    created(api('POST', '/sandbox/inbound', { from, to, message }))
  const streams: Array<{ close: () => Promise<void> }> = []
  t.teardown(async () => {
    for (const stream of streams) await stream.close()
  })
  const open = async (headers: Record<string, string>) => {
    const stream = await openEventStream(events, headers)
    streams.push(stream)
    return stream
  }

  t.test('a revoked account-wide credential’s stream ends, and it cannot open another', async (t) => {
    const credential = await created(api('POST', '/credentials', { name: 'integration' }))
    const token = await requestToken(holding, credential.clientId, credential.clientSecret)
    const headers = { authorization: `Bearer ${token}` }
    const stream = await open(headers)
    t.equal(stream.status, 200)
    const toSales = await inject(sales.number, '+12025552001', 'Before the revocation')
    const heard = await stream.next((event) => event.event === 'message-received')
    t.equal(heard.json.payload.id, toSales.message.id, "it heard every group's events before")

    // The holding instance has just authenticated the credential, so its cache may still say it is valid.
    const revokedAt = Date.now()
    await created(api('POST', `/credentials/${credential.id}/revoke`))
    const again = await openEventStream(events, headers)
    t.equal(again.status, 401, 'a new stream is refused at once')
    t.match(again.error, { success: false, error: { code: 'AUTH-002' } })
    await again.close()
    const took = await endsWithin(stream, revokedAt)
    t.ok(stream.ended, `the open stream ended (after ${took} ms)`)
    await inject(sales.number, '+12025552002', 'After the revocation')
    t.notOk(
      stream.events.some((event) => JSON.parse(event.data).payload.text === 'After the revocation'),
      'and heard nothing more'
    )
  })

  t.test('a removed Administrator’s streams end, bound or named by email', async (t) => {
    const admin = await createTestUser(changing, account.accountId, 'Administrator')
    const bound = await open(admin.headers)
    const named = await open({ ...account.headers, 'x-parley-user-email': admin.email })
    const pending = await created(api('POST', '/senders', { number: '+12025559801', status: 'pending' }))
    await created(api('PUT', `/senders/${pending.id}/status`, { status: 'active' }))
    for (const stream of [bound, named]) {
      const changed = await stream.next((event) => event.event === 'sender-status-changed')
      t.equal(changed.json.payload.id, pending.id, 'an Administrator hears sender status changes')
    }

    const removedAt = Date.now()
    await created(api('DELETE', `/users/${admin.userId}`))
    for (const stream of [bound, named]) {
      const took = await endsWithin(stream, removedAt)
      t.ok(stream.ended, `the stream ended (after ${took} ms)`)
    }
    const refused = await openEventStream(events, admin.headers)
    t.equal(refused.status, 401)
    t.match(refused.error, { success: false, error: { code: 'AUTH-001' } })
    await refused.close()
  })

  t.test('a demoted Administrator’s stream stays open but hears only what a Sender may', async (t) => {
    const admin = await createTestUser(changing, account.accountId, 'Administrator')
    await created(api('PUT', `/groups/${support.groupId}/users/${admin.userId}`))
    const demoted = await open(admin.headers)
    const control = await open(account.headers)
    const first = await created(api('POST', '/senders', { number: '+12025559802', status: 'pending' }))
    await created(api('PUT', `/senders/${first.id}/status`, { status: 'active' }))
    await demoted.next(
      (event) => event.event === 'sender-status-changed' && JSON.parse(event.data).payload.id === first.id
    )

    await created(api('PUT', `/users/${admin.userId}`, { role: 'Sender' }))
    await sleep(BOUND_MS + SLACK_MS)
    const second = await created(api('POST', '/senders', { number: '+12025559803', status: 'pending' }))
    await created(api('PUT', `/senders/${second.id}/status`, { status: 'active' }))
    await control.next(
      (event) => event.event === 'sender-status-changed' && JSON.parse(event.data).payload.id === second.id
    )
    // Events reach a stream in order: once it hears the later message, it would have heard the change.
    const toSupport = await inject(support.number, '+12025552003', 'After the demotion')
    const heard = await demoted.next((event) => event.event === 'message-received')
    t.equal(heard.json.payload.id, toSupport.message.id, "it still hears its group's messages")
    t.notOk(
      demoted.events.some((event) => JSON.parse(event.data).payload.id === second.id),
      'but no sender status change after the demotion'
    )
    t.notOk(demoted.ended)
  })

  t.test('a member taken out of one group and put in another hears the other’s events only', async (t) => {
    const member = await createTestUser(changing, account.accountId, 'Sender')
    await created(api('PUT', `/groups/${support.groupId}/users/${member.userId}`))
    const stream = await open(member.headers)
    const before = await inject(support.number, '+12025552004', 'Support, before')
    t.equal((await stream.next((event) => event.event === 'message-received')).json.payload.id, before.message.id)

    await created(api('DELETE', `/groups/${support.groupId}/users/${member.userId}`))
    await created(api('PUT', `/groups/${salesGroup.id}/users/${member.userId}`))
    await sleep(BOUND_MS + SLACK_MS)
    const toSupport = await inject(support.number, '+12025552005', 'Support, after')
    const toSales = await inject(sales.number, '+12025552006', 'Sales, after')
    const heard = await stream.next((event) => event.event === 'message-received')
    t.equal(heard.json.payload.id, toSales.message.id, 'the new group’s message is the next one heard')
    t.notOk(
      stream.events.some((event) => JSON.parse(event.data).payload.id === toSupport.message.id),
      'nothing of the group left'
    )
    t.notOk(stream.ended)
  })
})
