import pg from 'pg'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller } from '../helpers/api.ts'

// What a database restart does to the app: every connection to its database is cut at once.
async function cutConnections(databaseUrl: string): Promise<number> {
  const database = new URL(databaseUrl).pathname.slice(1)
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
  try {
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database]
    )
    return rowCount ?? 0
  } finally {
    await admin.end()
  }
}

t.test('connections cut mid-send lose no message and send none twice', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const app = await buildTestApp(t, {
    ...quickSandbox,
    DATABASE_URL: databaseUrl,
    PARLEY_DISPATCH_BATCH_SIZE: '20',
    PARLEY_QUEUE_SUPERVISE_SECONDS: '1'
  })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  await sandboxSender(app, account, { throughput: 20 })
  const count = 80
  const { body } = await api('POST', '/messages', {
    contacts: Array.from({ length: count }, (_, index) => ({ mobile: { number: `+1202555${4000 + index}` } })),
    template: 'Survives a restart'
  })
  t.equal(body.data.valid, count)

  // The test's own reads share the app's pool, so one may meet a cut connection: read again.
  const retried =
    <T>(read: () => Promise<T>, fallback: T) =>
    async () => {
      try {
        return await read()
      } catch {
        return fallback
      }
    }
  const submitted = retried(
    async () =>
      Number(
        (
          await app.db
            .selectFrom('sandbox_messages')
            .select((eb) => eb.fn.countAll<string>().as('count'))
            .executeTakeFirstOrThrow()
        ).count
      ),
    -1
  )
  for (const threshold of [20, 50]) {
    await eventually(submitted, (n) => n >= threshold, 60_000)
    const cut = await cutConnections(databaseUrl)
    t.ok(cut > 0, `cut ${cut} connections after ${threshold} submissions`)
  }
  t.ok((await eventually(submitted, (n) => n >= 0)) < count, 'the send was still running')

  const statuses = retried(
    async () =>
      await app.db
        .selectFrom('messages')
        .select(['id', 'status'])
        .where('account_id', '=', account.accountId)
        .execute(),
    []
  )
  const final = await eventually(
    statuses,
    (rows) => rows.length === count && rows.every((row) => row.status === 'delivered'),
    90_000
  )
  t.equal(final.filter((row) => row.status === 'delivered').length, count, 'every message delivered')
  const sandbox = await app.db.selectFrom('sandbox_messages').select(['idempotency_key', 'attempts']).execute()
  t.equal(sandbox.length, count, 'exactly one carrier message per message')
  t.same(new Set(sandbox.map((row) => row.idempotency_key)), new Set(final.map((row) => row.id)))
  t.comment(`resubmitted after the cuts: ${sandbox.filter((row) => row.attempts > 1).length}`)
})
