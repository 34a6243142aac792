import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { messageReaching, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

t.test('Idempotency-Key and scheduled sends', async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  await sandboxSender(app, account)
  const post = (payload: object, key?: string) =>
    api('POST', '/messages', payload, { ...account.headers, ...(key ? { 'idempotency-key': key } : {}) })
  const countMessages = async () => (await api('GET', '/messages')).body.pagination.totalCount

  t.test('concurrent requests with one key send one set of messages and all answer the same', async (t) => {
    const payload = {
      contacts: [{ mobile: { number: '+12025550601' } }, { mobile: { number: '+12025550602' } }],
      template: 'Once only'
    }
    const before = await countMessages()
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(payload, 'key-concurrent')))
    t.same(
      answers.map((answer) => answer.status),
      [200, 200, 200, 200, 200, 200]
    )
    const bodies = answers.map((answer) => answer.body)
    t.equal(new Set(bodies.map((body) => body.data.jobId)).size, 1, 'one job')
    t.same(bodies[1], bodies[0])
    t.equal(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true').length, 5)
    t.equal(await countMessages(), before + 2)
    const replay = await post(payload, 'key-concurrent')
    t.same(replay.body, bodies[0], 'a later retry answers the first response')
    t.equal(await countMessages(), before + 2)
  })

  t.test('the same key with a different body is refused and changes nothing', async (t) => {
    await post({ contacts: [{ mobile: { number: '+12025550603' } }], template: 'First body' }, 'key-reused')
    const before = await countMessages()
    const reused = await post(
      { contacts: [{ mobile: { number: '+12025550603' } }], template: 'Second body' },
      'key-reused'
    )
    t.equal(reused.status, 422)
    t.equal(reused.body.error.code, 'MSG-050')
    t.equal(await countMessages(), before)
  })

  t.test('a request that failed does not use up its key', async (t) => {
    const bad = await post({ contacts: [{ mobile: { number: '+12025550604' } }], template: 'Hi {{oops' }, 'key-failed')
    t.equal(bad.status, 400)
    const good = await post({ contacts: [{ mobile: { number: '+12025550604' } }], template: 'Hi {{oops' }, 'key-failed')
    t.equal(good.status, 400, 'the same failing request fails again rather than replaying')
  })

  t.test('keys of another account are another key', async (t) => {
    const other = await createTestAccount(app)
    await sandboxSender(app, other)
    const payload = { contacts: [{ mobile: { number: '+12025550605' } }], template: 'Shared key' }
    const mine = await post(payload, 'key-shared')
    const theirs = await caller(app, other)('POST', '/messages', payload, {
      ...other.headers,
      'idempotency-key': 'key-shared'
    })
    t.not(theirs.body.data.jobId, mine.body.data.jobId)
  })

  t.test('a message with sendAt in the future is scheduled and goes out then', async (t) => {
    const sendAt = new Date(Date.now() + 1500)
    const { body } = await api('POST', '/messages', {
      contacts: [{ mobile: { number: '+12025550606' } }],
      template: 'Later',
      sendAt: sendAt.toISOString()
    })
    const [message] = body.data.messages
    t.match(message, { status: 'scheduled', sendAt: sendAt.toISOString() })
    t.same(await created(api('GET', '/sandbox/messages?to=%2B12025550606')), [], 'nothing submitted yet')
    const delivered = await messageReaching(app, account, message.id, ['delivered'])
    t.ok(new Date(delivered.sentAt).getTime() >= sendAt.getTime() - 50, 'not sent before sendAt')
    const past = await api('POST', '/messages', {
      contacts: [{ mobile: { number: '+12025550607' } }],
      template: 'Past',
      sendAt: new Date(Date.now() - 60_000).toISOString()
    })
    t.equal(past.body.data.messages[0].status, 'queued', 'a sendAt in the past sends now')
  })
})
