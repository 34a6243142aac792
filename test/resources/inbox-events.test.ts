import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { eventually, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { openEventStream } from '../helpers/sse.ts'

async function baseUrl(app: FastifyInstance): Promise<string> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return address
}

t.test('live inbox events', async (t) => {
  // Two instances on one database: events written through one reach streams of the other.
  const databaseUrl = await createTestDatabase(t)
  const env = { ...quickSandbox, DATABASE_URL: databaseUrl }
  const streaming = await buildTestApp(t, env)
  const writing = await buildTestApp(t, env)
  const base = await baseUrl(streaming)
  const account = await createTestAccount(writing)
  const api = caller(writing, account)
  const support = await sandboxSender(writing, account)
  const salesGroup = await created(api('POST', '/groups', { name: 'Sales' }))
  const sales = await sandboxSender(writing, account, { groupId: salesGroup.id })
  const member = await createTestUser(writing, account.accountId, 'Sender')
  await created(api('PUT', `/groups/${support.groupId}/users/${member.userId}`))
  const url = `${base}/v1/accounts/${account.accountId}/inbox/events`
  const inject = (to: string, from: string, message: string) =>
    created(api('POST', '/sandbox/inbound', { from, to, message }))

  const memberStream = await openEventStream(url, member.headers)
  const adminStream = await openEventStream(url, account.headers)
  t.teardown(async () => {
    await memberStream.close()
    await adminStream.close()
  })
  t.equal(memberStream.status, 200)
  t.match(memberStream.headers.get('content-type'), /^text\/event-stream/)

  let lastSeen = ''
  t.test("a member hears their groups' events and none of another group's", async (t) => {
    const toSales = await inject(sales.number, '+12025551401', 'For sales')
    const toSupport = await inject(support.number, '+12025551402', 'For support')
    const heard = await memberStream.next((event) => event.event === 'message-received')
    t.equal(heard.json.payload.id, toSupport.message.id, 'the first message the member hears is support’s')
    t.match(heard.json, { type: 'message-received', payload: { group: { id: support.groupId } } })
    t.equal(heard.id, String(heard.json.seq), 'the event id is its place in the outbox')
    t.type(heard.json.id, 'string')
    const adminHeard = await adminStream.next((event) => event.event === 'message-received')
    t.equal(adminHeard.json.payload.id, toSales.message.id, 'an account-wide credential hears every group')

    const conversationId = toSupport.message.conversation.id
    await created(api('POST', `/conversations/${conversationId}/lock`, undefined, member.headers))
    const locked = await memberStream.next((event) => event.event === 'conversation-locked')
    t.match(locked.json.payload, { id: conversationId, lock: { user: { id: member.userId } } })
    await created(api('PUT', `/conversations/${conversationId}/assignee`, { userId: member.userId }))
    const assigned = await memberStream.next((event) => event.event === 'conversation-assigned')
    t.match(assigned.json.payload, { id: conversationId, assignedUser: { id: member.userId } })
    const reply = await created(
      api('POST', '/messages', { conversations: [conversationId], template: 'On it' }, member.headers)
    )
    const sent = await memberStream.next((event) => event.event === 'message-sent')
    t.match(sent.json.payload, { id: reply.messages[0].id, created: { by: { id: member.userId } } })
    const status = await memberStream.next((event) => event.event === 'message-status')
    t.match(status.json.payload, { id: reply.messages[0].id, status: 'delivered' })
    await created(api('POST', `/conversations/${conversationId}/read`, undefined, member.headers))
    const read = await memberStream.next((event) => event.event === 'conversation-read')
    t.match(read.json.payload, { id: conversationId, user: { id: member.userId } })
    await created(api('DELETE', `/conversations/${conversationId}/lock`, undefined, member.headers))
    const released = await memberStream.next((event) => event.event === 'conversation-lock-released')
    lastSeen = released.id!
    const groups = memberStream.events.map((event) => JSON.parse(event.data).payload.group?.id)
    t.notOk(groups.includes(salesGroup.id), 'nothing of the sales group reached the member')
  })

  t.test('sender status changes reach Administrators only', async (t) => {
    const pending = await created(api('POST', '/senders', { number: '+12025559901', status: 'pending' }))
    await created(api('PUT', `/senders/${pending.id}/status`, { status: 'active' }))
    const changed = await adminStream.next((event) => event.event === 'sender-status-changed')
    t.match(changed.json.payload, { id: pending.id, status: 'active', previousStatus: 'pending' })
    t.notOk(
      memberStream.events.some((event) => event.event === 'sender-status-changed'),
      'not to a member who is no Administrator'
    )
  })

  t.test('a client reconnecting with Last-Event-ID receives what it missed, in order', async (t) => {
    await memberStream.close()
    const missed = await inject(support.number, '+12025551403', 'While you were away')
    await inject(sales.number, '+12025551404', 'Not yours')
    await created(api('PUT', `/conversations/${missed.message.conversation.id}/close`))
    const again = await openEventStream(url, { ...member.headers, 'last-event-id': lastSeen })
    t.teardown(() => again.close())
    const replayed = await again.next((event) => event.event === 'message-received')
    t.equal(replayed.json.payload.id, missed.message.id)
    t.ok(Number(replayed.id) > Number(lastSeen))
    const closed = await again.next((event) => event.event === 'conversation-closed')
    t.ok(Number(closed.id) > Number(replayed.id))
    t.notOk(
      again.events.some((event) => JSON.parse(event.data).payload.group?.id === salesGroup.id),
      "the replay holds no other group's events"
    )
    const live = await inject(support.number, '+12025551405', 'Live again')
    const heard = await again.next((event) => event.event === 'message-received')
    t.equal(heard.json.payload.id, live.message.id, 'and then carries on live')
  })

  t.test('the stream is authenticated like any call', async (t) => {
    const anonymous = await openEventStream(url, {})
    t.equal(anonymous.status, 401)
    await anonymous.close()
    const stranger = await createTestAccount(writing)
    const foreign = await openEventStream(url, stranger.headers)
    t.equal(foreign.status, 403)
    await foreign.close()
  })
})

t.test('a listening connection cut by the database is opened again, and open streams hear later events', async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const sender = await sandboxSender(app, account)
  const stream = await openEventStream(
    `${await baseUrl(app)}/v1/accounts/${account.accountId}/inbox/events`,
    account.headers
  )
  t.teardown(() => stream.close())
  const { rows } = await sql<{ cut: boolean }>`
    SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity
    WHERE datname = current_database() AND query = 'LISTEN "parley_events"'
  `.execute(app.db)
  t.same(
    rows.map((row) => row.cut),
    [true],
    "the stream's listening connection was cut"
  )
  // The listener opens a new connection a second later; an inbound message after that is heard.
  const heard = await eventually(
    async () => {
      const sent = await created(
        api('POST', '/sandbox/inbound', { from: '+12025551499', to: sender.number, message: 'Still there?' })
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      return stream.events.some((event) => JSON.parse(event.data).payload.id === sent.message.id)
    },
    (found) => found
  )
  t.ok(heard)
  t.notOk(stream.ended, 'the stream stayed open throughout')
})

t.test('heartbeats keep an idle stream open', async (t) => {
  const app = await buildTestApp(t, { PARLEY_SSE_HEARTBEAT_SECONDS: '1' })
  const account = await createTestAccount(app)
  const stream = await openEventStream(
    `${await baseUrl(app)}/v1/accounts/${account.accountId}/inbox/events`,
    account.headers
  )
  t.teardown(() => stream.close())
  const deadline = Date.now() + 10_000
  while (stream.comments === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  t.ok(stream.comments > 0, 'a heartbeat comment arrived')
  t.notOk(stream.ended)
})
