import t from 'tap'
import type { Submission } from '../../src/carriers/carrier.ts'
import { createCarrierRegistry, DEFAULT_CARRIER } from '../../src/carriers/registry.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

let sequence = 0

function submission(accountId: string, to: string, overrides: Partial<Submission> = {}): Submission {
  return {
    idempotencyKey: `msg-${++sequence}`,
    accountId,
    from: '+14155550100',
    to,
    text: 'Hello from the sandbox',
    type: 'SMS',
    media: [],
    ...overrides
  }
}

t.test('sandbox carrier', async (t) => {
  const app = await buildTestApp(t, { PARLEY_SANDBOX_DELIVERY_DELAY_MS: '2500' })
  const account = await createTestAccount(app)
  const sandbox = app.deps.carriers.get('sandbox')
  const rows = (idempotencyKey: string) =>
    app.db.selectFrom('sandbox_messages').selectAll().where('idempotency_key', '=', idempotencyKey).execute()

  t.test('is the default carrier, and an unknown carrier is a clear error', async (t) => {
    t.equal(DEFAULT_CARRIER, 'sandbox')
    t.same(app.deps.carriers.names(), ['sandbox'])
    t.throws(() => app.deps.carriers.get('smpp'), /Unknown carrier "smpp"; known carriers: sandbox/)
  })

  t.test('accepts a message, records it, and schedules sent then delivered after the configured delay', async (t) => {
    const message = submission(account.accountId, '+14155550123', { text: 'Hi Jane €5' })
    const result = await sandbox.send(message)
    if (!result.ok) throw new Error('expected the sandbox to accept')
    t.match(result.carrierMessageId, /^SB[0-9a-f]{24}$/)
    t.same(result.reports, [
      { carrierMessageId: result.carrierMessageId, status: 'sent', delayMs: 0 },
      { carrierMessageId: result.carrierMessageId, status: 'delivered', delayMs: 2500 }
    ])
    const [row] = await rows(message.idempotencyKey)
    t.match(row, {
      account_id: account.accountId,
      carrier_message_id: result.carrierMessageId,
      from_number: '+14155550100',
      to_number: '+14155550123',
      body: 'Hi Jane €5',
      type: 'SMS',
      segments: 1,
      outcome: 'accepted',
      delivery_status: 'delivered',
      attempts: 1
    })
  })

  t.test('a retried submit is recorded once and answers the same carrier id', async (t) => {
    const message = submission(account.accountId, '+14155550124')
    const first = await sandbox.send(message)
    const second = await sandbox.send({ ...message, text: 'changed on retry' })
    t.same(second, first)
    const stored = await rows(message.idempotencyKey)
    t.equal(stored.length, 1)
    t.equal(stored[0]?.attempts, 2)
    t.equal(stored[0]?.body, 'Hello from the sandbox', 'the first submission is what was sent')
  })

  t.test('concurrent submits with one key are one message', async (t) => {
    const message = submission(account.accountId, '+14155550125')
    const results = await Promise.all(Array.from({ length: 8 }, () => sandbox.send(message)))
    const ids = new Set(results.map((result) => (result.ok ? result.carrierMessageId : 'failed')))
    t.equal(ids.size, 1)
    t.notOk(ids.has('failed'))
    const stored = await rows(message.idempotencyKey)
    t.equal(stored.length, 1)
    t.equal(stored[0]?.attempts, 8)
  })

  t.test('test number ending 0001 is accepted, then reported undelivered', async (t) => {
    const result = await sandbox.send(submission(account.accountId, '+14155550001'))
    if (!result.ok) throw new Error('expected the sandbox to accept')
    t.same(result.reports[1], {
      carrierMessageId: result.carrierMessageId,
      status: 'undelivered',
      delayMs: 2500,
      error: { code: 'MSG-019', description: 'Undelivered: unreachable handset, landline or content blocked' }
    })
    t.equal(result.reports[0]?.status, 'sent')
  })

  t.test('test number ending 0002 fails at submit, permanently, every time', async (t) => {
    const message = submission(account.accountId, '+447700900002')
    const expected = {
      ok: false,
      failure: 'permanent',
      error: { code: 'MSG-023', description: 'Rejected by the carrier' }
    }
    t.same(await sandbox.send(message), expected)
    t.same(await sandbox.send(message), expected)
    const [row] = await rows(message.idempotencyKey)
    t.match(row, { outcome: 'rejected', delivery_status: null, attempts: 2 })
  })

  t.test('test number ending 0003 fails retryably once, then is accepted', async (t) => {
    const message = submission(account.accountId, '+14155550003')
    t.same(await sandbox.send(message), {
      ok: false,
      failure: 'retryable',
      error: { code: 'MSG-033', description: 'Carrier service failure' }
    })
    t.match((await rows(message.idempotencyKey))[0], { outcome: 'deferred', attempts: 1 })
    const retried = await sandbox.send(message)
    t.equal(retried.ok, true)
    if (retried.ok) t.equal(retried.reports[1]?.status, 'delivered')
    const third = await sandbox.send(message)
    t.same(third, retried, 'later retries answer the accepted submission')
    t.match((await rows(message.idempotencyKey))[0], { outcome: 'accepted', attempts: 3 })
  })

  t.test('segments are counted as the carrier bills them', async (t) => {
    const message = submission(account.accountId, '+14155550126', { text: '😀'.repeat(36) })
    await sandbox.send(message)
    t.equal((await rows(message.idempotencyKey))[0]?.segments, 2)
  })

  t.test('the same key in two accounts is two messages', async (t) => {
    const other = await createTestAccount(app)
    const mine = submission(account.accountId, '+14155550127')
    const first = await sandbox.send(mine)
    const second = await sandbox.send({ ...mine, accountId: other.accountId })
    t.ok(first.ok && second.ok && first.carrierMessageId !== second.carrierMessageId)
  })

  t.test('parses an injected inbound message as a carrier would deliver it', async (t) => {
    t.ok(sandbox.parseCallback)
    const events = sandbox.parseCallback!({
      url: '/sandbox/inbound',
      headers: {},
      rawBody: '',
      body: { from: '+14155550123', to: '+14155550100', message: 'STOP', extra: 1 }
    })
    t.equal(events.length, 1)
    const [event] = events
    if (event?.kind !== 'inbound') throw new Error('expected an inbound message')
    t.match(event.message, {
      from: '+14155550123',
      to: '+14155550100',
      text: 'STOP',
      media: [],
      carrierMessageId: /^SB/,
      receivedAt: Date
    })
    t.throws(() => sandbox.parseCallback!({ url: '/sandbox/inbound', headers: {}, rawBody: '', body: { from: '+1' } }))
  })
})

t.test('the registry takes configured adapters and refuses two of one name', async (t) => {
  const app = await buildTestApp(t)
  const fake = {
    name: 'fake',
    send: async () => ({
      ok: false as const,
      failure: 'retryable' as const,
      error: { code: 'MSG-026', description: 'Timed out' }
    })
  }
  const registry = createCarrierRegistry({ db: app.db, sandboxDeliveryDelayMs: 0 }, [fake])
  t.same(registry.names(), ['sandbox', 'fake'])
  t.equal(registry.get('fake'), fake)
  t.throws(
    () => createCarrierRegistry({ db: app.db, sandboxDeliveryDelayMs: 0 }, [{ ...fake, name: 'sandbox' }]),
    /Two carrier adapters are named "sandbox"/
  )
})

t.test('GET …/sandbox/messages', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const other = await createTestAccount(app)
  const sandbox = app.deps.carriers.get('sandbox')
  const url = '/sandbox/messages'

  const sent = []
  for (const to of ['+14155550123', '+14155550124', '+14155550123', '+14155550002']) {
    const message = submission(account.accountId, to, { text: `to ${to}` })
    await sandbox.send(message)
    sent.push(message)
  }
  await sandbox.send(sent[0]!)
  await sandbox.send(submission(other.accountId, '+14155550123'))

  const all = await api('GET', url)
  t.equal(all.status, 200)
  const body = all.body
  t.same(
    body.pagination,
    { offset: 0, limit: 10, totalCount: 4, hasNext: false },
    'one entry per message, none of another account'
  )
  t.same(
    body.data.map((message: { idempotencyKey: string }) => message.idempotencyKey),
    sent.map((message) => message.idempotencyKey)
  )
  t.match(body.data[0], {
    id: /^SB/,
    from: '+14155550100',
    to: '+14155550123',
    message: 'to +14155550123',
    type: 'SMS',
    media: [],
    segments: 1,
    outcome: 'accepted',
    deliveryStatus: 'delivered',
    attempts: 2,
    firstAttemptAt: String,
    lastAttemptAt: String
  })
  t.match(body.data[3], { to: '+14155550002', outcome: 'rejected', deliveryStatus: null })

  const byNumber = await api('GET', `${url}?to=%2B14155550123`)
  t.same(
    byNumber.body.data.map((message: { to: string }) => message.to),
    ['+14155550123', '+14155550123']
  )
  const unencodedPlus = await api('GET', `${url}?to=+14155550123`)
  t.equal(unencodedPlus.body.pagination.totalCount, 2, 'a + sent unencoded (read as a space) still matches')
  const withoutPlus = await api('GET', `${url}?to=14155550124`)
  t.equal(withoutPlus.body.pagination.totalCount, 1)

  const page = await api('GET', `${url}?offset=1&limit=2`)
  t.same(page.body.pagination, { offset: 1, limit: 2, totalCount: 4, hasNext: true })
  t.equal(page.body.data[0].idempotencyKey, sent[1]!.idempotencyKey)

  const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
  const refused = await api('GET', url, undefined, manager.headers)
  t.equal(refused.status, 403)
  t.equal(refused.body.error.code, 'ACCT-016')

  const foreign = await api('GET', url, undefined, other.headers)
  t.equal(foreign.status, 403)
  t.equal(foreign.body.error.code, 'ACCT-008')
})
