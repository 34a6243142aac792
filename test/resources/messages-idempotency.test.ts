import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser, requestToken } from '../helpers/fixtures.ts'
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

t.test(
  'a replay is only ever the caller’s own: another credential or user with the same key makes its own request',
  async (t) => {
    const app = await buildTestApp(t, quickSandbox)
    const account = await createTestAccount(app)
    const api = caller(app, account)
    await sandboxSender(app, account)
    const secret = await created(api('POST', '/groups', { name: 'Secret', apiCode: 'secret' }))
    await sandboxSender(app, account, { groupId: secret.id })
    const admin = await createTestUser(app, account.accountId, 'Administrator')
    await created(api('PUT', `/groups/${secret.id}/users/${admin.userId}`))
    const outsider = await createTestUser(app, account.accountId, 'Sender')
    const payload = {
      contacts: [{ mobile: { number: '+12025550611' } }],
      template: 'The secret plan',
      phoneNumberFilter: { group: { id: secret.id } }
    }
    const post = (headers: Record<string, string>) =>
      api('POST', '/messages', payload, { ...headers, 'idempotency-key': 'key-of-the-admin' })

    const first = await post(admin.headers)
    t.equal(first.status, 200)
    const [sent] = first.body.data.messages
    t.match(sent, { message: 'The secret plan', group: { id: secret.id } })

    const reused = await post(outsider.headers)
    t.not(reused.status, 200, `the non-member is answered as any request of theirs is (${reused.status})`)
    t.notOk(reused.headers['idempotent-replayed'], 'not a replay')
    t.notOk(JSON.stringify(reused.body).includes(sent.id), "the admin's message id is not in the answer")
    t.notOk(JSON.stringify(reused.body).includes('The secret plan'), "nor the admin's text")

    const retried = await post(admin.headers)
    t.equal(retried.headers['idempotent-replayed'], 'true', 'the admin still gets their own replay')
    t.same(retried.body, first.body)

    // The account-wide credential acting as the admin (X-Parley-User-Email) is another credential: its own request.
    const asAdmin = await post({ ...account.headers, 'x-parley-user-email': admin.email })
    t.equal(asAdmin.status, 200)
    t.notOk(asAdmin.headers['idempotent-replayed'])
    t.not(asAdmin.body.data.jobId, first.body.data.jobId, 'a job of its own')

    // Two account-wide credentials, no user: each key is its own credential's.
    const other = await created(api('POST', '/credentials', { name: 'second integration' }))
    const otherToken = await requestToken(app, other.clientId, other.clientSecret)
    const otherHeaders = { authorization: `Bearer ${otherToken}` }
    const byFirst = await post(account.headers)
    const bySecond = await post(otherHeaders)
    t.equal(bySecond.status, 200)
    t.notOk(bySecond.headers['idempotent-replayed'])
    t.not(bySecond.body.data.jobId, byFirst.body.data.jobId)
    t.same((await post(otherHeaders)).body, bySecond.body, "the second credential's retry replays its own answer")
    t.equal(
      new Set([first, asAdmin, byFirst, bySecond].map((answer) => answer.body.data.jobId)).size,
      4,
      'the admin, the credential acting as the admin, and each credential made a job of their own'
    )
  }
)
