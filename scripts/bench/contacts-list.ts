// npm run bench -- contacts-list [--rows 1000000] [--requests 2000] [--concurrency 8]
// Requests/s and p99 of GET …/contacts?limit=100, unfiltered and filtered, on an account holding
// `rows` contacts, next to a bare Fastify route doing one indexed point query, in the same run.
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { freePort, freshDatabase, load, option, startParley, type LoadResult, type Parley } from './harness.ts'

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

async function startBare(
  databaseUrl: string,
  accountId: string
): Promise<{ origin: string; stop: () => Promise<void> }> {
  const port = await freePort()
  const child = spawn(process.execPath, ['scripts/bench/bare-server.ts'], {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), ACCOUNT_ID: accountId }
  })
  const origin = `http://127.0.0.1:${port}`
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${origin}/point/1`)).ok) break
    } catch {
      if (attempt > 100) throw new Error('the bare server did not start')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return {
    origin,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

const print = (label: string, result: LoadResult) =>
  process.stdout.write(
    `${label.padEnd(44)} ${result.perSecond.toFixed(0).padStart(6)} req/s   p50 ${result.p50Ms.toFixed(1).padStart(6)} ms   p99 ${result.p99Ms.toFixed(1).padStart(6)} ms   failures ${result.failures}\n`
  )

const database = await freshDatabase()
let parley: Parley | undefined
let bare: Awaited<ReturnType<typeof startBare>> | undefined
try {
  parley = await startParley(database.url)
  await populate(database.url, parley.accountId)
  bare = await startBare(database.url, parley.accountId)
  const contacts = `/v1/accounts/${parley.accountId}/contacts`
  const points = Array.from({ length: 1000 }, (_, i) => `/point/${1 + ((i * 7919) % rows)}`)
  // [label, origin, paths, headers, share of `requests`]: the broad filter matches 10% of the account,
  // so its exact totalCount costs a count over 100,000 rows; fewer requests keep the run short.
  const scenarios: [string, string, string[], Record<string, string>, number][] = [
    ['bare Fastify, one indexed point query', bare.origin, points, {}, 1],
    ['Parley ?limit=100', parley.baseUrl, [`${contacts}?limit=100`], parley.headers, 1],
    [
      'Parley ?limit=100&firstName=First12345',
      parley.baseUrl,
      [`${contacts}?limit=100&firstName=First12345`],
      parley.headers,
      1
    ],
    [
      'Parley ?limit=100&lastName=smith12',
      parley.baseUrl,
      [`${contacts}?limit=100&lastName=smith12`],
      parley.headers,
      1
    ],
    ['Parley ?limit=100&tags=vip (10% match)', parley.baseUrl, [`${contacts}?limit=100&tags=vip`], parley.headers, 0.1]
  ]
  process.stdout.write(`${requests} requests per scenario (fewer where noted), ${concurrency} concurrent, loopback\n`)
  const results: LoadResult[] = []
  for (const [label, origin, paths, headers, share] of scenarios) {
    const count = Math.round(requests * share)
    await load(origin, paths, headers, Math.min(100, count), concurrency) // warm-up
    const result = await load(origin, paths, headers, count, concurrency)
    results.push(result)
    print(`${label} (${count})`, result)
  }
  const baseline = results[0]!
  for (const [i, result] of results.entries()) {
    if (i > 0)
      process.stdout.write(
        `ratio bare/${scenarios[i]![0].replace('Parley ', '')}: ${(baseline.perSecond / result.perSecond).toFixed(1)}x req/s\n`
      )
  }
} finally {
  await bare?.stop()
  await parley?.stop()
  await database.cleanup()
}
