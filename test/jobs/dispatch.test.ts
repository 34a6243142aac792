import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

t.test('large sends expand in the background, and GET …/messages?jobId= follows them', async (t) => {
  const app = await buildTestApp(t, {
    ...quickSandbox,
    PARLEY_SEND_SYNC_MAX_RECIPIENTS: '5',
    PARLEY_SEND_BATCH_SIZE: '7',
    PARLEY_DISPATCH_BATCH_SIZE: '4'
  })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  await sandboxSender(app, account)
  const contacts = Array.from({ length: 30 }, (_, index) => ({
    mobile: { number: `+1202555${String(1000 + index)}` },
    firstName: `N${index}`,
    tags: [{ tag: 'launch' }]
  }))
  for (const contact of contacts) await created(api('POST', '/contacts', contact))
  const optedOut = await created(api('GET', '/contacts?limit=2'))
  for (const contact of optedOut) await created(api('POST', `/contacts/${contact.id}/opt-out`))

  const { status, body } = await api('POST', '/messages', {
    contacts: [{ mobile: { number: '+12025559001' } }],
    filters: { tags: ['launch'] },
    template: 'Launch day, {{{firstName}}}!'
  })
  t.equal(status, 200)
  t.match(body.data, { requested: 31, valid: 1, status: 'expanding', invalid: [] })
  t.equal(body.data.messages.length, 1, 'the listed contact is sent at once')
  t.equal(body.data.estimatedPrice, 0.2449, '31 messages of one segment at 0.0079')
  const { jobId } = body.data

  const job = await eventually(
    async () => await created(api('GET', `/messages/jobs/${jobId}`)),
    (current) => current.status === 'completed'
  )
  t.match(job, { status: 'completed', requested: 31, valid: 29, invalid: 2 })
  const listed = await api('GET', `/messages?jobId=${jobId}&limit=100`)
  t.equal(listed.body.pagination.totalCount, 29)
  t.ok(listed.body.data.some((message: { message: string }) => message.message === 'Launch day, N29!'))
  const delivered = await eventually(
    async () => (await api('GET', `/messages?jobId=${jobId}&status=delivered`)).body.pagination.totalCount,
    (count) => count === 29
  )
  t.equal(delivered, 29)
  const submissions = await app.db
    .selectFrom('sandbox_messages')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
  t.equal(Number(submissions.count), 29, 'each message submitted once')
})

t.test("a sender's throughput cap holds across instances", async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const env = { ...quickSandbox, DATABASE_URL: databaseUrl, PARLEY_DISPATCH_BATCH_SIZE: '3' }
  const app = await buildTestApp(t, env)
  await buildTestApp(t, env)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  await sandboxSender(app, account, { throughput: 5 })
  const count = 12
  const { body } = await api('POST', '/messages', {
    contacts: Array.from({ length: count }, (_, index) => ({ mobile: { number: `+1202555${2000 + index}` } })),
    template: 'Paced'
  })
  t.equal(body.data.valid, count)
  const rows = await eventually(
    async () =>
      await app.db.selectFrom('sandbox_messages').select('first_attempt_at').orderBy('first_attempt_at').execute(),
    (current) => current.length === count
  )
  const times = rows.map((row) => row.first_attempt_at.getTime())
  // At 5 per second, any 6 consecutive submissions span at least a second (less a little clock slack).
  for (let index = 5; index < times.length; index++)
    t.ok(
      times[index]! - times[index - 5]! >= 950,
      `submissions ${index - 5}..${index} span ${times[index]! - times[index - 5]!} ms`
    )
})
