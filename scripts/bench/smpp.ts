// npm run bench -- smpp [--messages 5000] [--window 50] [--batch 500]
// npm run bench -- smpp --peer [--messages 2000] [--parley <dir>]: end to end through a server, its
// peer sending each receipt at once (smpp-peer.ts).
// Messages per second through the SMPP adapter to the Perl test SMSC (test/carriers/smsc), from the
// first submit_sm to the last delivered receipt handed to onEvent, beside the sandbox adapter's rate
// (its submits recorded in PostgreSQL, its receipts announced at once) in the same run. The adapter
// is driven directly, in batches as the dispatch pipeline sends them.
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import type { Submission } from '../../src/carriers/carrier.ts'
import { createSandboxCarrier } from '../../src/carriers/sandbox/sandbox-carrier.ts'
import { createDb } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrator.ts'
import { startSmppCarrier, startSmsc, until } from '../../test/helpers/smsc.ts'
import { BENCH_ACCOUNT, freshDatabase, option } from './harness.ts'

if (process.argv.includes('--peer')) {
  await import('./smpp-peer.ts')
  process.exit(0)
}

const total = option('messages', 5000)
const windowSize = option('window', 50)
const batch = option('batch', 500)

const submissions = (prefix: string): Submission[] =>
  Array.from({ length: total }, (_, index) => ({
    idempotencyKey: `${prefix}-${index}`,
    accountId: BENCH_ACCOUNT,
    from: '+12125550000',
    to: `+1213${String(2_000_000 + index)}`,
    text: `Hi ${index}, the sale starts now. Reply STOP to opt out.`,
    type: 'SMS' as const,
    media: []
  }))

async function inBatches(send: (chunk: Submission[]) => Promise<unknown>, all: Submission[]) {
  for (let start = 0; start < all.length; start += batch) await send(all.slice(start, start + batch))
}

const teardowns: Array<() => unknown> = []
const t = { teardown: (fn: () => unknown) => void teardowns.push(fn) }
const database = await freshDatabase()
const db = createDb(database.url, 4)
try {
  await migrateToLatest(db)
  await sql`INSERT INTO accounts (id, name, created_by, updated_by) VALUES (${BENCH_ACCOUNT}, 'Bench', '{}', '{}')`.execute(
    db
  )
  const sandbox = createSandboxCarrier({ db, deliveryDelayMs: 0 })
  let started = performance.now()
  await inBatches((chunk) => sandbox.sendBatch!(chunk), submissions('sandbox'))
  const sandboxRate = total / ((performance.now() - started) / 1000)

  const smsc = await startSmsc(t, { receiptDelayMs: 0 })
  const { carrier, events } = await startSmppCarrier(t, smsc, { windowSize })
  await until(() => carrier.health().state === 'bound')
  started = performance.now()
  await inBatches((chunk) => carrier.sendBatch(chunk), submissions('smpp'))
  const submittedMs = performance.now() - started
  await until(() => events.length >= total, 600_000)
  const seconds = (performance.now() - started) / 1000
  const delivered = events.filter((event) => event.kind === 'status' && event.report.status === 'delivered').length
  process.stdout.write(
    `${total.toLocaleString('en')} messages, window ${windowSize}, batches of ${batch}\n` +
      `  sandbox: ${sandboxRate.toFixed(0)} messages/s (submits recorded in PostgreSQL)\n` +
      `  smpp:    ${(total / seconds).toFixed(0)} messages/s from submit to delivered receipt ` +
      `(${delivered.toLocaleString('en')} delivered; all submitted after ${(submittedMs / 1000).toFixed(1)} s)\n`
  )
} finally {
  for (const teardown of teardowns.reverse()) await teardown()
  await db.destroy()
  await database.cleanup()
}
