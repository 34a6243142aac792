import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, type TestAccount } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

// Waits for the worker by polling the API, with a generous deadline rather than a fixed sleep.
async function settled(app: FastifyInstance, account: TestAccount, jobId: string) {
  const api = caller(app, account)
  const deadline = Date.now() + 60_000
  for (;;) {
    const response = await api('GET', `/contacts/imports/${jobId}`)
    const data = response.body.data
    if (data.status === 'completed' || data.status === 'failed' || Date.now() > deadline) return data
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const rows = (count: number, name: string) =>
  [
    'mobile,country,firstName,tags',
    ...Array.from(
      { length: count },
      (_, i) => `+1202555${String(1000 + i).padStart(4, '0')},US,${name} ${i},bulk|batch${i % 3}`
    )
  ].join('\n')

t.test('large uploads become a background job whose progress can be polled', async (t) => {
  const app = await buildTestApp(t, { PARLEY_IMPORT_SYNC_MAX_ROWS: '10', PARLEY_IMPORT_BATCH_ROWS: '7' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const url = '/contacts'
  const upload = (body: string) => api('POST', url, body, { ...account.headers, 'content-type': 'text/csv' })

  const accepted = await upload(`${rows(40, 'First')}\n12,US,bad,\n`)
  t.equal(accepted.status, 202)
  const { jobId, status } = accepted.body.data
  t.equal(status, 'queued')
  t.type(jobId, 'string')

  const done = await settled(app, account, jobId)
  t.match(done, {
    jobId,
    status: 'completed',
    total: 41,
    submitted: 41,
    inserted: 40,
    updated: 0,
    success: 40,
    failed: 1,
    created: { by: { id: account.clientId } }
  })
  t.same(done.errors, [
    {
      row: 42,
      mobile: { number: '12', country: 'US' },
      error: { code: 'CONT-001', description: 'Invalid mobile number 12 for country US' }
    }
  ])
  t.type(done.finishedAt, 'string')
  const listed = (await api('GET', `${url}?tags=bulk`)).body
  t.equal(listed.pagination.totalCount, 40)
  const chunks = await app.db.selectFrom('contact_import_chunks').select('seq').execute()
  t.equal(chunks.length, 0, 'the staged file is removed once imported')
  const events = await app.db
    .selectFrom('events')
    .select('event_type')
    .where('account_id', '=', account.accountId)
    .execute()
  t.equal(events.length, 40, 'each written contact has its event')

  t.test('re-running the same file updates every row', async (t) => {
    const again = await upload(rows(40, 'Second'))
    const result = await settled(app, account, again.body.data.jobId)
    t.match(result, { status: 'completed', inserted: 0, updated: 40 })
    t.equal((await api('GET', `${url}?limit=1`)).body.pagination.totalCount, 40)
    t.equal((await api('GET', `${url}?firstName=Second`)).body.pagination.totalCount, 40)
  })

  t.test('import jobs are per account', async (t) => {
    const other = await createTestAccount(app)
    const foreign = await caller(app, other)('GET', `/contacts/imports/${jobId}`)
    t.equal(foreign.status, 404)
    t.equal(foreign.body.error.code, 'IMP-007')
  })
})

t.test('a web-only instance queues the job; a worker instance on the same database runs it', async (t) => {
  const web = await buildTestApp(t, { PARLEY_IMPORT_SYNC_MAX_BYTES: '64', PARLEY_WORKERS: 'false' })
  const account = await createTestAccount(web)
  const api = caller(web, account)
  const accepted = await api('POST', '/contacts', rows(5, 'Queued'), {
    ...account.headers,
    'content-type': 'text/csv'
  })
  t.equal(accepted.status, 202, 'over the byte threshold')
  const { jobId } = accepted.body.data
  const waiting = await api('GET', `/contacts/imports/${jobId}`)
  t.equal(waiting.body.data.status, 'queued')
  t.equal(waiting.body.data.total, 5)

  const worker = await buildTestApp(t, { DATABASE_URL: await databaseUrlOf(web), PARLEY_WORKERS: 'true' })
  const done = await settled(worker, account, jobId)
  t.match(done, { status: 'completed', inserted: 5 })
})

async function databaseUrlOf(app: FastifyInstance): Promise<string> {
  const {
    rows: [row]
  } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(app.db)
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/${row!.name}`
  return url.toString()
}
