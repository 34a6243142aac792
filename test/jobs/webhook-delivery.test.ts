import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { caller, created } from '../helpers/api.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, type TestAccount } from '../helpers/fixtures.ts'
import { eventually, messageReaching, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import {
  embeddedAddressForms,
  quickWebhooks,
  startReceiver,
  type Answer,
  type Receiver,
  type Received
} from '../helpers/webhook-receiver.ts'
import type { FastifyInstance } from 'fastify'

async function subscribed(app: FastifyInstance, account: TestAccount, receiver: Receiver, eventTypes: string[]) {
  const webhook = await created(caller(app, account)('POST', '/webhooks', { url: receiver.url, eventTypes }))
  receiver.secrets.push(webhook.secret)
  return webhook as { id: string; secret: string }
}

let mobiles = 0
async function newContact(app: FastifyInstance, account: TestAccount, firstName = 'Ann') {
  const [contact] = await created(
    caller(app, account)('POST', '/contacts', {
      mobile: { number: `+1202555${String(7000 + (mobiles++ % 1000)).padStart(4, '0')}`, country: 'US' },
      firstName
    })
  )
  return contact as { id: string; mobile: { number: string } }
}

const deliveredCount = (receiver: Receiver, count: number) =>
  eventually(
    async () => receiver.delivered.length,
    (n) => n >= count
  )

t.test('every event type reaches a subscribed receiver, signed and in outbox order', async (t) => {
  const app = await buildTestApp(t, { ...quickSandbox, ...quickWebhooks })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const sender = await sandboxSender(app, account)
  const receiver = await startReceiver(t)
  await subscribed(app, account, receiver, [
    'contact-created',
    'contact-updated',
    'contact-removed',
    'message-received',
    'message-sent',
    'message-status',
    'conversation-started',
    'contact-opt-out',
    'contact-opt-in',
    'conversation-closed'
  ])

  const contact = await newContact(app, account)
  await created(api('PUT', `/contacts/${contact.id}`, { lastName: 'Bee' }))
  await created(
    api('POST', '/integrations/hubspot/contacts/sync', { records: [{ id: '901', phone: contact.mobile.number }] })
  )
  const send = await created(api('POST', '/messages', { contacts: [{ id: contact.id }], template: 'Hello Ann' }))
  await messageReaching(app, account, send.messages[0].id, ['delivered'])
  const reply = await created(
    api('POST', '/sandbox/inbound', { from: contact.mobile.number, to: sender.number, message: 'Hi back' })
  )

  const replyDelivered = await eventually(
    async () => receiver.delivered.find((event) => event.eventType === 'message-received'),
    (event) => event !== undefined
  )
  const asShown = await created(api('GET', `/messages/${reply.message.id}`))
  t.same(replyDelivered!.payload, asShown, 'a message-received payload is the message as GET …/messages/{id} shows it')
  t.match(replyDelivered!.payload, {
    conversation: { id: String },
    group: { id: sender.groupId },
    contact: { id: contact.id, integrations: { hubspot: { id: '901' } } }
  })

  await created(api('POST', '/sandbox/inbound', { from: contact.mobile.number, to: sender.number, message: 'STOP' }))
  await created(api('POST', '/sandbox/inbound', { from: contact.mobile.number, to: sender.number, message: 'START' }))
  await created(api('PUT', `/conversations/${asShown.conversation.id}/close`))
  await api('DELETE', `/contacts/${contact.id}`)

  const recorded = await app.db
    .selectFrom('events')
    .select(['id', 'event_type'])
    .where('account_id', '=', account.accountId)
    .orderBy('seq')
    .execute()
  await deliveredCount(receiver, recorded.length)
  t.same(
    receiver.delivered.map((event) => event.id),
    recorded.map((event) => event.id),
    'delivered once each, in outbox order'
  )
  t.same(receiver.unverified, [], 'every delivery verifies with the standardwebhooks library')
  t.same(
    new Set(recorded.map((event) => event.event_type)),
    new Set([
      'contact-created',
      'contact-updated',
      'contact-removed',
      'message-received',
      'message-sent',
      'message-status',
      'conversation-started',
      'contact-opt-out',
      'contact-opt-in',
      'conversation-closed'
    ]),
    'each subscribed event type was emitted and delivered'
  )
  for (const event of receiver.delivered) {
    t.equal(event.headers['webhook-id'], event.id, 'the webhook-id header is the stable event id')
    t.equal(event.accountId, account.accountId)
  }
  const sent = receiver.delivered.find((event) => event.eventType === 'message-sent')!
  t.match(sent.payload, { id: send.messages[0].id, outgoing: true, contact: { id: contact.id } })
})

t.test('retries after 500 and timeouts keep each subscription in order', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const names = ['First', 'Second', 'Third', 'Fourth']
  const answer = (event: Received, attempt: number): Answer => {
    if (event.payload.firstName === 'First' && attempt <= 2) return 500
    if (event.payload.firstName === 'Second' && attempt === 1) return 'hang'
    if (event.payload.firstName === 'Third' && attempt === 1) return 429
    return 200
  }
  const receiver = await startReceiver(t, answer)
  const webhook = await subscribed(app, account, receiver, ['contact-created'])
  for (const name of names) await newContact(app, account, name)

  await deliveredCount(receiver, names.length)
  t.same(
    receiver.delivered.map((event) => event.payload.firstName),
    names,
    'delivered in order'
  )
  t.same(
    receiver.requests.map((event) => event.payload.firstName),
    ['First', 'First', 'First', 'Second', 'Second', 'Third', 'Third', 'Fourth'],
    'no later event was sent before an earlier one was delivered'
  )
  // The receiver answers before the worker records the attempt: wait for the records.
  const deliveries = await eventually(
    async () => await created(api('GET', `/webhooks/${webhook.id}/deliveries`)),
    (rows) => rows.every((row: { state: string }) => row.state === 'delivered')
  )
  t.match(deliveries, [
    { state: 'delivered', attempts: 1, lastStatus: 200, eventType: 'contact-created' },
    { state: 'delivered', attempts: 2, lastStatus: 200 },
    { state: 'delivered', attempts: 2, lastStatus: 200 },
    { state: 'delivered', attempts: 3, lastStatus: 200, lastLatencyMs: Number }
  ])
})

t.test('a delivery given up after the last retry is failed, and the next one goes out', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const receiver = await startReceiver(t, (event) => (event.payload.firstName === 'Doomed' ? 503 : 204))
  const webhook = await subscribed(app, account, receiver, ['contact-created'])
  await newContact(app, account, 'Doomed')
  await newContact(app, account, 'Fine')
  await deliveredCount(receiver, 1)
  t.equal(receiver.delivered[0]!.payload.firstName, 'Fine')
  // The receiver answers before the worker records the attempt: wait for the records.
  const deliveries = await eventually(
    async () => await created(api('GET', `/webhooks/${webhook.id}/deliveries?state=failed`)),
    (rows) => rows.length > 0
  )
  t.match(deliveries, [{ state: 'failed', attempts: 4, lastStatus: 503, lastError: 'HTTP 503' }])
  t.notOk('nextAttemptAt' in deliveries[0])
  t.equal(receiver.attempts.get(deliveries[0].eventId), 4, 'one attempt and three retries')
  const fetched = await eventually(
    async () => await created(api('GET', `/webhooks/${webhook.id}`)),
    (webhook) => webhook.backlog.pending === 0
  )
  t.same(fetched.backlog, { pending: 0, failed: 1 })
})

t.test('410 Gone disables the subscription until it is resumed', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  let gone = true
  const receiver = await startReceiver(t, () => (gone ? 410 : 200))
  const webhook = await subscribed(app, account, receiver, ['contact-created'])
  await newContact(app, account, 'Before')
  const disabled = await eventually(
    async () => await created(api('GET', `/webhooks/${webhook.id}`)),
    (found) => found.status === 'disabled'
  )
  t.match(disabled, { status: 'disabled', disabledReason: /410/ })
  await newContact(app, account, 'While disabled')
  t.equal(receiver.requests.length, 1, 'one request, answered 410')

  gone = false
  await created(api('POST', `/webhooks/${webhook.id}/resume`))
  await deliveredCount(receiver, 1)
  t.same(
    receiver.delivered.map((event) => event.payload.firstName),
    ['Before'],
    'resuming delivers what was pending; events while disabled were not queued'
  )
})

t.test('a receiver that times out does not hold up a healthy one', async (t) => {
  const app = await buildTestApp(t, { ...quickWebhooks, PARLEY_WEBHOOKS_RETRY_SCHEDULE: '60' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const stuck = await startReceiver(t, () => 'hang')
  const healthy = await startReceiver(t)
  const stuckHook = await subscribed(app, account, stuck, ['contact-created'])
  await subscribed(app, account, healthy, ['contact-created'])
  const count = 20
  for (let index = 0; index < count; index++) await newContact(app, account, `Person ${index}`)
  await deliveredCount(healthy, count)
  t.equal(healthy.delivered.length, count, 'the healthy receiver got everything')
  t.equal(stuck.delivered.length, 0)
  const waiting = await eventually(
    async () => await created(api('GET', `/webhooks/${stuckHook.id}/deliveries?state=pending&limit=100`)),
    (rows) => rows.some((row: { attempts: number }) => row.attempts > 0)
  )
  t.equal(waiting.length, count, 'the stuck receiver keeps every event, pending')
  t.match(waiting.at(-1), { attempts: 1, lastError: 'timed out', nextAttemptAt: String })
  t.equal(stuck.requests.length, 1, 'one request in flight at a time: nothing more was sent while it hung')
  t.match((await created(api('GET', `/webhooks/${stuckHook.id}`))).backlog, {
    pending: count,
    failed: 0,
    oldestPendingAt: String
  })
})

t.test('replay by event id and by time range', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const receiver = await startReceiver(t)
  const webhook = await subscribed(app, account, receiver, ['contact-created', 'contact-updated'])
  const from = new Date().toISOString()
  const first = await newContact(app, account, 'One')
  await newContact(app, account, 'Two')
  await deliveredCount(receiver, 2)
  const [firstEvent, secondEvent] = receiver.delivered

  t.same(await created(api('POST', `/webhooks/${webhook.id}/replay`, { eventId: firstEvent!.id })), { replayed: 1 })
  await deliveredCount(receiver, 3)
  t.equal(receiver.delivered[2]!.id, firstEvent!.id, 'the replay carries the original event id')
  t.same(receiver.delivered[2]!.payload, firstEvent!.payload)

  t.same(await created(api('POST', `/webhooks/${webhook.id}/replay`, { from })), { replayed: 2 })
  await deliveredCount(receiver, 5)
  t.same(
    receiver.delivered.slice(3).map((event) => event.id),
    [firstEvent!.id, secondEvent!.id],
    'a range is replayed in outbox order'
  )
  const replays = await created(api('GET', `/webhooks/${webhook.id}/deliveries`))
  t.same(
    replays.map((row: { replay: boolean }) => row.replay),
    [true, true, true, false, false]
  )
  t.same(await created(api('POST', `/webhooks/${webhook.id}/replay`, { from, to: from })), { replayed: 0 })
  t.ok(first.id)
})

t.test('after a secret rotation deliveries verify with the new and the previous secret', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const receiver = await startReceiver(t)
  const webhook = await subscribed(app, account, receiver, ['contact-created'])
  await newContact(app, account, 'Before')
  await deliveredCount(receiver, 1)
  t.same(receiver.delivered[0]!.verifiedBy, [0])

  const rotated = await created(api('POST', `/webhooks/${webhook.id}/secret`))
  receiver.secrets.push(rotated.secret)
  await newContact(app, account, 'After')
  await deliveredCount(receiver, 2)
  t.same(receiver.delivered[1]!.verifiedBy, [0, 1], 'verified by either secret')
  t.equal(String(receiver.delivered[1]!.headers['webhook-signature']).split(' ').length, 2)

  await app.db
    .updateTable('webhook_subscriptions')
    .set({ previous_secret_expires_at: new Date(Date.now() - 1000) })
    .where('id', '=', webhook.id)
    .execute()
  await newContact(app, account, 'Later')
  await deliveredCount(receiver, 3)
  t.same(receiver.delivered[2]!.verifiedBy, [1], 'once the overlap ends, only the new secret signs')
})

t.test('a paused subscription queues its events and delivers them on resume', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const receiver = await startReceiver(t)
  const webhook = await subscribed(app, account, receiver, ['contact-created'])
  await created(api('POST', `/webhooks/${webhook.id}/pause`))
  await newContact(app, account, 'Paused one')
  await newContact(app, account, 'Paused two')
  const pending = await created(api('GET', `/webhooks/${webhook.id}/deliveries?state=pending`))
  t.equal(pending.length, 2, 'queued while paused')
  // Long enough for several polls of the worker (every 20 ms): none may deliver.
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(receiver.requests.length, 0, 'nothing is sent while paused')
  await created(api('POST', `/webhooks/${webhook.id}/resume`))
  await deliveredCount(receiver, 2)
  t.same(
    receiver.delivered.map((event) => event.payload.firstName),
    ['Paused one', 'Paused two']
  )
})

t.test('a pause stops a backlog being delivered at the next attempt, not after the batch already read', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  // Answers each request 100 ms late, so a backlog takes a while to drain.
  const arrivals: string[] = []
  const slow = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      arrivals.push(String(request.headers['webhook-id']))
      setTimeout(() => response.writeHead(204).end(), 100)
    })
  })
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => slow.close(resolve)))
  const { port } = slow.address() as AddressInfo
  const webhook = await created(
    api('POST', '/webhooks', { url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['contact-created'] })
  )
  await created(api('POST', `/webhooks/${webhook.id}/pause`))
  for (let n = 0; n < 12; n++) await newContact(app, account, `Backlog ${n}`)
  await created(api('POST', `/webhooks/${webhook.id}/resume`))
  await eventually(
    async () => arrivals.length,
    (n) => n >= 1
  )
  await created(api('POST', `/webhooks/${webhook.id}/pause`))
  const atPause = arrivals.length
  await new Promise((resolve) => setTimeout(resolve, 800))
  // Each attempt's record (which renews the lease only while active) overlaps the next request, so
  // up to two requests already under way at the pause may still arrive; a batch is 50.
  t.ok(arrivals.length <= atPause + 2, `only attempts under way go out after the pause (${arrivals.length})`)
  const pending = await created(api('GET', `/webhooks/${webhook.id}/deliveries?state=pending`))
  t.equal(pending.length, 12 - arrivals.length, 'the rest wait, queued')
})

t.test('deliveries to a private address are refused at delivery time unless allowed', async (t) => {
  // One instance takes the subscription with private addresses allowed; the worker that delivers does not allow them.
  const permissive = await buildTestApp(t, { ...quickWebhooks, PARLEY_WORKERS: 'false' })
  const strict = await buildTestApp(t, {
    ...quickWebhooks,
    PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'false',
    DATABASE_URL: permissive.deps.config.databaseUrl!
  })
  const account = await createTestAccount(permissive)
  const receiver = await startReceiver(t)
  const webhook = await subscribed(permissive, account, receiver, ['contact-created'])
  // A name, as after DNS rebinding: it resolves to the loopback address only at delivery time here.
  const byName = await created(
    caller(permissive, account)('POST', '/webhooks', {
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      eventTypes: ['contact-created']
    })
  )
  await newContact(permissive, account, 'Internal')
  for (const id of [webhook.id, byName.id]) {
    const attempted = await eventually(
      async () => await created(caller(strict, account)('GET', `/webhooks/${id}/deliveries`)),
      (rows) => rows[0]?.attempts > 0
    )
    t.match(attempted[0], { state: 'pending', attempts: 1, lastError: /public address/ })
    t.notOk('lastStatus' in attempted[0])
  }
  t.equal(receiver.requests.length, 0, 'the receiver on 127.0.0.1 was never sent anything')
})

t.test('IPv6 forms that embed an IPv4 address are refused at delivery time too', async (t) => {
  // Subscribed where private addresses are allowed; delivered by a worker that does not allow them.
  const permissive = await buildTestApp(t, { ...quickWebhooks, PARLEY_WORKERS: 'false' })
  const strict = await buildTestApp(t, {
    ...quickWebhooks,
    PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'false',
    DATABASE_URL: permissive.deps.config.databaseUrl!
  })
  const account = await createTestAccount(permissive)
  const receiver = await startReceiver(t)
  const { port } = new URL(receiver.url)
  const webhooks = []
  for (const host of embeddedAddressForms) {
    const url = `http://${host}:${port}/hooks`
    webhooks.push({
      host,
      ...(await created(caller(permissive, account)('POST', '/webhooks', { url, eventTypes: ['contact-created'] })))
    })
  }
  await newContact(permissive, account, 'Embedded')
  for (const { host, id } of webhooks) {
    const attempted = await eventually(
      async () => await created(caller(strict, account)('GET', `/webhooks/${id}/deliveries`)),
      (rows) => rows[0]?.attempts > 0
    )
    // Retried on its schedule meanwhile (and given up once it runs out), each attempt refused the same way.
    t.match(attempted[0], { state: /^(pending|failed)$/, lastError: /not a public address/ }, host)
    t.notOk('lastStatus' in attempted[0], `${host}: no answer from anywhere`)
  }
  // [::ffff:127.0.0.1] reaches the receiver on 127.0.0.1 through the dual stack, if dialled.
  t.equal(receiver.requests.length, 0, 'nothing was sent anywhere')
})

t.test(
  'a receiver down for longer than most of the schedule gets every event once it recovers, in order',
  async (t) => {
    // The day of retries shortened to under two seconds: 0.05 + 0.1 + 0.2 + 0.4 + 0.8 + 0.4 s.
    const app = await buildTestApp(t, { ...quickWebhooks, PARLEY_WEBHOOKS_RETRY_SCHEDULE: '0.05,0.1,0.2,0.4,0.8,0.4' })
    const account = await createTestAccount(app)
    let down = true
    const receiver = await startReceiver(t, () => (down ? 503 : 200))
    await subscribed(app, account, receiver, ['contact-created'])
    const names = Array.from({ length: 8 }, (_, index) => `Person ${index}`)
    for (const name of names) await newContact(app, account, name)
    await eventually(
      async () => receiver.requests.length,
      (count) => count >= 4
    )
    down = false
    await deliveredCount(receiver, names.length)
    t.same(
      receiver.delivered.map((event) => event.payload.firstName),
      names
    )
    t.ok(
      receiver.requests.slice(0, 4).every((event) => event.payload.firstName === 'Person 0'),
      'while down, only the oldest event was retried'
    )
  }
)

t.test('redirects are not followed: a 3xx is a failed attempt', async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const target = await startReceiver(t)
  // Answers every request with a redirect to the target receiver.
  const redirecting = createServer((request, response) => {
    request.resume()
    request.on('end', () => response.writeHead(307, { location: target.url }).end())
  })
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => redirecting.close(resolve)))
  const { port } = redirecting.address() as AddressInfo
  const webhook = await created(
    api('POST', '/webhooks', { url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['contact-created'] })
  )
  await newContact(app, account, 'Redirected')
  const rows = await eventually(
    async () => await created(api('GET', `/webhooks/${webhook.id}/deliveries`)),
    (found) => found[0]?.attempts >= 2
  )
  t.match(rows[0], { state: 'pending', lastStatus: 307, lastError: 'HTTP 307' })
  t.equal(target.requests.length, 0, 'the redirect was not followed')
})
