// npm run bench -- smpp --peer [--messages 2000] [--parley <dir>]
// End to end through a Parley server: one POST …/messages to N contacts from a sender on an SMPP
// carrier whose peer, the Perl test SMSC, sends each delivery receipt at once after its
// submit_sm_resp, as many SMSCs do; so most receipts arrive before dispatch has recorded the carrier
// ids. Prints when all were submitted, when half, 90 % and the last reached `delivered`, and the CPU
// per message of the server and of the PostgreSQL backends serving its database (from /proc), until
// the queue is idle again, beside the aims (docs/benchmarks.md, "Receipts at once").
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { startSmsc } from '../../test/helpers/smsc.ts'
import {
  accountApi,
  BENCH_ACCOUNT,
  cpuMs,
  freshDatabase,
  option,
  seedTaggedContacts,
  startParley,
  type Parley
} from './harness.ts'

const total = option('messages', 2000)
const AIM_SECONDS = 15
const AIM_CPU_MS = 4
const CARRIER = 'smsc'

/** CPU (user + system, ms) of the backends serving one database, each counted from when first seen. */
class BackendCpu {
  readonly #first = new Map<number, number>()
  readonly #last = new Map<number, number>()
  readonly #client: pg.Client
  readonly #database: string
  #started = false

  constructor(client: pg.Client, database: string) {
    this.#client = client
    this.#database = database
  }

  async sample(): Promise<void> {
    const { rows } = await this.#client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [this.#database]
    )
    for (const { pid } of rows) {
      let used: number
      try {
        used = cpuMs(pid)
      } catch {
        continue // ended meanwhile: its last sample stands
      }
      if (!this.#first.has(pid)) this.#first.set(pid, this.#started ? 0 : used)
      this.#last.set(pid, used)
    }
  }

  /** From now on, a backend seen for the first time counts all its CPU. */
  start(): void {
    this.#started = true
  }

  used(): number {
    let sum = 0
    for (const [pid, last] of this.#last) sum += last - this.#first.get(pid)!
    return sum
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const teardowns: Array<() => unknown> = []
const database = await freshDatabase()
const client = new pg.Client({ connectionString: database.url })
let parley: Parley | undefined
try {
  const smsc = await startSmsc({ teardown: (fn) => void teardowns.push(fn) }, { receiptDelayMs: 0 })
  parley = await startParley(database.url, {
    PARLEY_CARRIERS: JSON.stringify({
      [CARRIER]: { type: 'smpp', host: '127.0.0.1', port: smsc.port, systemId: 'parley', password: 'secret' }
    })
  })
  await client.connect()
  await accountApi(parley, 'POST', '/senders', { number: '+12125550000', status: 'active', carrier: CARRIER })
  await smsc.logged('bind', 1)
  await seedTaggedContacts(client, total)
  await client.query('CHECKPOINT')
  const backends = new BackendCpu(client, new URL(database.url).pathname.slice(1))
  await backends.sample()
  backends.start()
  const serverPid = parley.process.pid!
  const serverBefore = cpuMs(serverPid)

  const { rows: clock } = await client.query<{ now: Date }>('SELECT now()')
  const requestedAt = clock[0]!.now.getTime()
  const started = Date.now()
  await accountApi(parley, 'POST', '/messages', {
    filters: { tags: ['bench'] },
    template: 'Hi {{{firstName}}}, the sale starts now. Reply STOP to opt out.'
  })
  let delivered = 0
  while (delivered < total) {
    if (Date.now() - started > 300_000) throw new Error(`only ${delivered} delivered after 300 s`)
    await sleep(100)
    await backends.sample()
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) FROM messages WHERE account_id = $1 AND status = 'delivered'`,
      [BENCH_ACCOUNT]
    )
    delivered = Number(rows[0]!.count)
  }
  // The work a receipt leaves behind (a kept report's job) is part of its cost: wait for the queue.
  const settledBy = Date.now() + 60_000
  for (;;) {
    await sleep(200)
    await backends.sample()
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) FROM pgboss.job WHERE state IN ('created', 'retry', 'active') AND name NOT IN ('campaigns-schedule', 'housekeeping', 'webhook-housekeeping')`
    )
    if (Number(rows[0]!.count) === 0 || Date.now() > settledBy) break
  }
  const serverCpu = cpuMs(serverPid) - serverBefore
  const postgresCpu = backends.used()

  const { rows: times } = await client.query<{ submitted: number; half: number; ninety: number; last: number }>(
    `SELECT extract(epoch FROM max(sent_at) - $2::timestamptz) AS submitted,
       extract(epoch FROM percentile_disc(0.5) WITHIN GROUP (ORDER BY delivered_at) - $2::timestamptz) AS half,
       extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY delivered_at) - $2::timestamptz) AS ninety,
       extract(epoch FROM max(delivered_at) - $2::timestamptz) AS last
     FROM messages WHERE account_id = $1`,
    [BENCH_ACCOUNT, new Date(requestedAt)]
  )
  const { rows: jobs } = await client.query<{ state: string; count: string }>(
    `SELECT state, count(*) FROM pgboss.job WHERE name = 'message-status-reports' GROUP BY state ORDER BY state`
  )
  const at = (seconds: number) => `${Number(seconds).toFixed(1)} s`
  const perMessage = (ms: number) => (ms / total).toFixed(2)
  const { last, half, ninety, submitted } = times[0]!
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  process.stdout.write(
    `${total.toLocaleString('en')} messages through SMPP, each receipt sent at once after its submit_sm_resp (load average ${load})\n` +
      `  all sent (carrier ids recorded) after ${at(submitted)}; delivered: half after ${at(half)}, 90 % after ${at(ninety)}, ` +
      `the last after ${at(last)} (aim ≤ ${AIM_SECONDS} s)\n` +
      `  CPU a message: ${perMessage(serverCpu + postgresCpu)} ms (aim ≤ ${AIM_CPU_MS} ms): ` +
      `server ${perMessage(serverCpu)} ms, PostgreSQL backends ${perMessage(postgresCpu)} ms\n` +
      `  message-status-reports jobs: ${jobs.map((row) => `${row.count} ${row.state}`).join(', ') || 'none'}\n`
  )
} finally {
  await client.end()
  await parley?.stop()
  for (const teardown of teardowns.reverse()) await teardown()
  await database.cleanup()
}
