import t from 'tap'
import { sql } from 'kysely'
import { housekeepingTask } from '../../src/jobs/housekeeping.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'

t.test('the hourly housekeeping job removes expired keys and uploads a crash cut off, and nothing else', async (t) => {
  const app = await buildTestApp(t)
  const { accountId } = await createTestAccount(app)
  const hoursAgo = (hours: number) => sql<Date>`now() - make_interval(hours => ${hours})`
  const upload = async (id: string, status: 'receiving' | 'completed', age: number) => {
    await app.db
      .insertInto('contact_imports')
      .values({ id, account_id: accountId, status, options: '{}', created_by: '{}', created_at: hoursAgo(age) })
      .execute()
    await app.db
      .insertInto('contact_import_chunks')
      .values({ import_id: id, seq: 0, data: Buffer.from('mobile,country\n') })
      .execute()
  }
  // What an instance that died mid-upload leaves behind, next to uploads that must stay.
  await upload('cut-off', 'receiving', 30)
  await upload('still-arriving', 'receiving', 1)
  await upload('old-but-done', 'completed', 30)
  for (const [key, age] of [
    ['expired', 30],
    ['live', 1]
  ] as const) {
    await app.db
      .insertInto('idempotency_keys')
      .values({ account_id: accountId, caller: 'c', key, request_hash: 'h', created_at: hoursAgo(age) })
      .execute()
  }

  await app.db.transaction().execute((tx) => app.deps.queue.enqueue(tx, housekeepingTask, {}))
  const deadline = Date.now() + 60_000
  while (
    Date.now() < deadline &&
    (await app.db.selectFrom('contact_imports').select('id').where('id', '=', 'cut-off').executeTakeFirst())
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  const imports = await app.db.selectFrom('contact_imports').select('id').orderBy('id').execute()
  t.same(
    imports.map((row) => row.id),
    ['old-but-done', 'still-arriving']
  )
  const chunks = await app.db.selectFrom('contact_import_chunks').select('import_id').orderBy('import_id').execute()
  t.same(
    chunks.map((row) => row.import_id),
    ['old-but-done', 'still-arriving'],
    "the cut-off upload's staged chunks went with it"
  )
  const keys = await app.db.selectFrom('idempotency_keys').select('key').execute()
  t.same(
    keys.map((row) => row.key),
    ['live']
  )
})
