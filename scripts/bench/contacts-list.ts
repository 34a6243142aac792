// npm run bench -- contacts-list [--rows 1000000] [--requests 2000] [--concurrency 8]
// Requests/s and p99 of GET …/contacts/{id} and of GET …/contacts?limit=100, unfiltered and filtered,
// on an account holding `rows` contacts, each beside its ceiling: a bare Fastify route doing one
// indexed point query.
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { shareOf, startBareServer } from './ceilings.ts'
import { cpuMs, freshDatabase, load, option, startParley, type LoadResult, type Parley } from './harness.ts'

const rows = option('rows', 1_000_000)
const requests = option('requests', 2000)
const concurrency = option('concurrency', 8)

async function populate(databaseUrl: string, accountId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const started = performance.now()
  for (let from = 1; from <= rows; from += 100_000) {
    const to = Math.min(rows, from + 99_999)
    // Ten surnames with numeric suffixes, 10% tagged vip; numbers +1 212 2000001 onwards.
    await client.query(
      `
      INSERT INTO contacts (id, account_id, mobile, country, first_name, last_name, email, tags, created_by, updated_by)
      SELECT lpad(to_hex(1700000000 + g), 8, '0') || lpad(to_hex(g), 16, '0'), $1, '+1212' || (2000000 + g), 'US',
        'First' || g, (ARRAY['Smith','Jones','Taylor','Brown','Williams','Wilson','Johnson','Davies','Robinson','Wright'])[1 + g % 10] || (g % 1000),
        'person' || g || '@example.com',
        CASE WHEN g % 10 = 0 THEN '[{"tag":"vip","visible":true}]'::jsonb ELSE '[]'::jsonb END,
        '{"id":"bench","source":"api"}', '{"id":"bench","source":"api"}'
      FROM generate_series($2::int, $3::int) AS g`,
      [accountId, from, to]
    )
  }
  await client.query('VACUUM ANALYZE contacts')
  await client.end()
  process.stdout.write(
    `populated ${rows.toLocaleString('en')} contacts in ${((performance.now() - started) / 1000).toFixed(1)} s\n`
  )
}

type Measured = LoadResult & { cpuUsPerRequest: number }

const print = (label: string, result: Measured) =>
  process.stdout.write(
    `${label.padEnd(44)} ${result.perSecond.toFixed(0).padStart(6)} req/s   p50 ${result.p50Ms.toFixed(1).padStart(6)} ms   p99 ${result.p99Ms.toFixed(1).padStart(6)} ms   ` +
      `server CPU ${result.cpuUsPerRequest.toFixed(0).padStart(5)} µs/request   failures ${result.failures}\n`
  )

const database = await freshDatabase()
let parley: Parley | undefined
let bare: Awaited<ReturnType<typeof startBareServer>> | undefined
try {
  parley = await startParley(database.url)
  await populate(database.url, parley.accountId)
  bare = await startBareServer(database.url, parley.accountId)
  const contacts = `/v1/accounts/${parley.accountId}/contacts`
  // The same 1,000 contacts by number (bare) and by id (Parley); ids as populate() makes them.
  const spread = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % rows))
  const points = spread.map((n) => `/point/${n}`)
  const byId = spread.map(
    (n) => `${contacts}/${(1700000000 + n).toString(16).padStart(8, '0')}${n.toString(16).padStart(16, '0')}`
  )
  const scenarios: [label: string, path: string | string[]][] = [
    ['GET …/contacts/{id}', byId],
    ['GET …/contacts?limit=100', `${contacts}?limit=100`],
    ['… &firstName=First12345 (11 matches)', `${contacts}?limit=100&firstName=First12345`],
    ['… &lastName=smith12 (1,000 matches)', `${contacts}?limit=100&lastName=smith12`],
    ['… &tags=vip (100,000 matches)', `${contacts}?limit=100&tags=vip`]
  ]
  process.stdout.write(`${requests} requests per scenario, ${concurrency} concurrent, loopback\n`)
  // The machine's load drifts, so each scenario runs right after a run of the ceiling of its own.
  // Server CPU per request moves less with the machine's load than the rate does.
  const run = async (origin: string, pid: number, paths: string[], headers: Record<string, string>) => {
    await load(origin, paths, headers, Math.min(100, requests), concurrency) // warm-up
    const cpuBefore = cpuMs(pid)
    const result = await load(origin, paths, headers, requests, concurrency)
    return { ...result, cpuUsPerRequest: ((cpuMs(pid) - cpuBefore) * 1000) / requests }
  }
  for (const [label, path] of scenarios) {
    const ceiling = await run(bare.origin, bare.pid, points, {})
    const result = await run(parley.baseUrl, parley.process.pid!, Array.isArray(path) ? path : [path], parley.headers)
    print('  ceiling: bare Fastify, one indexed point query', ceiling)
    print(label, result)
    process.stdout.write(
      `  = ${shareOf(result.perSecond, ceiling.perSecond)} (ceiling/Parley ${(ceiling.perSecond / result.perSecond).toFixed(1)}x req/s, ` +
        `Parley/ceiling ${(result.cpuUsPerRequest / ceiling.cpuUsPerRequest).toFixed(1)}x server CPU)\n`
    )
  }
} finally {
  await bare?.stop()
  await parley?.stop()
  await database.cleanup()
}
