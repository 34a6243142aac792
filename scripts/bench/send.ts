// npm run bench -- send [--contacts 100000]
// An account with N contacts (bulk SQL insert), one POST …/messages with a tag filter matching all
// of them from a group whose sandbox sender has no throughput cap. Prints the time to answer, the
// rate from the request to every message delivered in the sandbox, the server's peak RSS and the
// database growth. The server runs its own workers, as a single instance does by default.
// Ceiling, in the same run: a bare multi-row insert and one update of as many message rows.
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { messageRowsCeiling, shareOf } from './ceilings.ts'
import {
  accountApi,
  BENCH_ACCOUNT,
  freshDatabase,
  option,
  seedTaggedContacts,
  startParley,
  type Parley
} from './harness.ts'

const contacts = option('contacts', 100_000)

const sizeOf = async (client: pg.Client) =>
  Number((await client.query('SELECT pg_database_size(current_database()) AS size')).rows[0].size) / 1048576

const database = await freshDatabase()
let parley: Parley | undefined
const client = new pg.Client({ connectionString: database.url })
try {
  parley = await startParley(database.url, { PARLEY_SANDBOX_DELIVERY_DELAY_MS: '100' })
  await client.connect()
  await accountApi(parley, 'POST', '/senders', { number: '+12125550000', status: 'active' })
  const seeded = performance.now()
  await seedTaggedContacts(client, contacts)
  process.stdout.write(
    `seeded ${contacts.toLocaleString('en')} contacts in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`
  )
  const sizeBefore = await sizeOf(client)

  const started = performance.now()
  const sent = await accountApi(parley, 'POST', '/messages', {
    filters: { tags: ['bench'] },
    template: 'Hi {{{firstName}}}, the sale starts now. Reply STOP to opt out.'
  })
  const answeredMs = performance.now() - started
  process.stdout.write(
    `POST /messages answered in ${answeredMs.toFixed(0)} ms: requested ${String(sent.requested)}, status ${String(sent.status)}, estimatedPrice ${String(sent.estimatedPrice)}\n`
  )

  // Numbers ending 0001-0003 are sandbox test numbers (undelivered, failed, retried): final is any end state.
  let final = 0
  let expandedAt: number | undefined
  let lastReport = performance.now()
  for (;;) {
    if (expandedAt === undefined) {
      const job = await accountApi(parley, 'GET', `/messages/jobs/${String(sent.jobId)}`)
      if (job.status === 'completed') {
        expandedAt = performance.now()
        process.stdout.write(
          `all ${String(job.valid)} messages written after ${((expandedAt - started) / 1000).toFixed(1)} s\n`
        )
      }
    }
    final = Number(
      (
        await client.query(
          `SELECT count(*) FROM messages WHERE account_id = $1 AND status IN ('delivered', 'undelivered', 'failed')`,
          [BENCH_ACCOUNT]
        )
      ).rows[0].count
    )
    if (final >= contacts) break
    if (performance.now() - lastReport > 5000) {
      process.stdout.write(
        `  ${final.toLocaleString('en')} in a final status after ${((performance.now() - started) / 1000).toFixed(0)} s\n`
      )
      lastReport = performance.now()
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const seconds = (performance.now() - started) / 1000
  const ceilingSeconds = await messageRowsCeiling(database.url, contacts)
  const submissions = Number((await client.query('SELECT count(*) FROM sandbox_messages')).rows[0].count)
  const { rows: byStatus } = await client.query(
    'SELECT status, count(*)::int AS count FROM messages GROUP BY status ORDER BY status'
  )
  process.stdout.write(
    `${final.toLocaleString('en')} messages final in ${seconds.toFixed(1)} s: ${(final / seconds).toFixed(0)} messages/s from request to delivered ` +
      `(${byStatus.map((row: { status: string; count: number }) => `${row.count} ${row.status}`).join(', ')}); ${submissions.toLocaleString('en')} sandbox submissions\n`
  )
  process.stdout.write(
    `  ceiling: bare multi-row insert and update of ${contacts.toLocaleString('en')} message rows: ${ceilingSeconds.toFixed(1)} s, ` +
      `${(contacts / ceilingSeconds).toFixed(0)} messages/s; Parley ${shareOf(final / seconds, contacts / ceilingSeconds)}\n`
  )
  process.stdout.write(
    `server peak RSS ${parley.peakRssMb().toFixed(0)} MB; database grew ${((await sizeOf(client)) - sizeBefore).toFixed(0)} MB\n`
  )
} finally {
  await client.end()
  await parley?.stop()
  await database.cleanup()
}
