// Shared by the benchmarks: a fresh database, Parley as a child process, and a bounded load generator.
import { execSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { Pool, request } from 'undici'
import { startEmbeddedPostgres, temporaryDataDir } from '../../src/db/embedded.ts'

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1]
}

export function option(name: string, fallback: number): number {
  const value = argument(name)
  return value === undefined ? fallback : Number(value)
}

/** The checkout whose server is measured: `--parley <dir>` compares another commit in the same sitting. */
const parleyDir = resolve(argument('parley') ?? '.')

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net
      .createServer()
      .on('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo
        server.close(() => resolve(port))
      })
  })
}

/** A new database on DATABASE_URL's server, or on an embedded server in a temp folder; dropped by cleanup(). */
export async function freshDatabase(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  let serverUrl = process.env.DATABASE_URL
  let stopEmbedded: (() => Promise<void>) | undefined
  let dataDir: string | undefined
  if (!serverUrl) {
    dataDir = temporaryDataDir('parley-bench-pg-')
    const embedded = await startEmbeddedPostgres({ dataDir, databaseName: 'postgres' })
    serverUrl = embedded.url
    stopEmbedded = embedded.stop
  }
  const name = `parley_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
      await stopEmbedded?.()
      if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export interface Parley {
  baseUrl: string
  accountId: string
  headers: Record<string, string>
  process: ChildProcess
  /** The server's peak resident set so far, in MB (VmHWM). */
  peakRssMb: () => number
  stop: () => Promise<void>
}

export const BENCH_ACCOUNT = 'bench'

/** A call to the benchmark account's API; answers the envelope's data and throws on an error answer. */
export async function accountApi(parley: Parley, method: 'GET' | 'POST', url: string, body?: unknown) {
  const response = await request(`${parley.baseUrl}/v1/accounts/${parley.accountId}${url}`, {
    method,
    headers: { ...parley.headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const json = (await response.body.json()) as { success: boolean; data: Record<string, unknown> }
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${JSON.stringify(json)}`)
  return json.data
}

/** Inserts `count` contacts tagged `bench` straight into the benchmark account, then analyzes the table. */
export async function seedTaggedContacts(client: pg.Client, count: number): Promise<void> {
  await client.query(
    `
    INSERT INTO contacts (id, account_id, mobile, country, first_name, tags, created_by, updated_by)
    SELECT lpad(to_hex(i), 24, '0'), $1, '+1213' || (2000000 + i)::text, 'US', 'First' || i, '[{"tag": "bench", "visible": true}]',
      '{"id": "bench", "source": "system"}', '{"id": "bench", "source": "system"}'
    FROM generate_series(1, $2::int) AS i
  `,
    [BENCH_ACCOUNT, count]
  )
  await client.query('ANALYZE contacts')
}

let compiled: string[] | undefined

/** What the checkout's `npm start` runs, after its `prestart` compile if it has one (once per benchmark). */
function startCommand(): string[] {
  if (compiled) return compiled
  const { scripts } = JSON.parse(readFileSync(`${parleyDir}/package.json`, 'utf8')) as {
    scripts: Record<string, string>
  }
  if (scripts.prestart) {
    // As npm runs it: in a shell, with the checkout's node_modules/.bin (its tsc, its Node) first.
    execSync(scripts.prestart, {
      cwd: parleyDir,
      stdio: 'inherit',
      env: { ...process.env, PATH: `${parleyDir}/node_modules/.bin:${process.env.PATH}` }
    })
  }
  compiled = scripts.start!.split(' ').slice(1)
  return compiled
}

/** Starts Parley as `npm start` does on the database with a bootstrap account, and gets a token for it. */
export async function startParley(databaseUrl: string, env: Record<string, string> = {}): Promise<Parley> {
  const port = await freePort()
  const clientId = 'bench-client'
  const clientSecret = randomBytes(24).toString('hex')
  const child = spawn(process.execPath, startCommand(), {
    cwd: parleyDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PARLEY_RATE_LIMIT_MAX: '1000000000',
      PARLEY_BOOTSTRAP_ACCOUNT_ID: BENCH_ACCOUNT,
      PARLEY_BOOTSTRAP_CLIENT_ID: clientId,
      PARLEY_BOOTSTRAP_CLIENT_SECRET: clientSecret,
      // The benchmarks create the senders they measure.
      PARLEY_DEMO_SENDER: 'false',
      ...env
    }
  })
  const baseUrl = `http://127.0.0.1:${port}`
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break
    } catch {
      if (attempt > 300 || child.exitCode !== null) throw new Error('Parley did not start')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const token = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })
  }).then(async (response) => ((await response.json()) as { access_token: string }).access_token)
  return {
    baseUrl,
    accountId: BENCH_ACCOUNT,
    headers: { authorization: `Bearer ${token}` },
    process: child,
    peakRssMb: () =>
      Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const ticksPerMs = 100 / 1000
  return (Number(fields[11]) + Number(fields[12])) / ticksPerMs
}

export interface LoadResult {
  requests: number
  perSecond: number
  p50Ms: number
  p99Ms: number
  failures: number
}

/** Runs `request` `count` times over `concurrency` workers; `request` answers whether it succeeded. */
export async function drive(
  count: number,
  concurrency: number,
  request: (index: number) => Promise<boolean>
): Promise<LoadResult> {
  const latencies: number[] = []
  let next = 0
  let failures = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++
        const begin = performance.now()
        if (!(await request(index))) failures++
        latencies.push(performance.now() - begin)
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (fraction: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))]!
  return { requests: count, perSecond: count / seconds, p50Ms: at(0.5), p99Ms: at(0.99), failures }
}

/** `count` GETs of `paths` in turn over `concurrency` keep-alive connections on loopback. */
export async function load(
  origin: string,
  paths: readonly string[],
  headers: Record<string, string>,
  count: number,
  concurrency: number
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 })
  const result = await drive(count, concurrency, async (index) => {
    const response = await pool.request({ origin, path: paths[index % paths.length]!, method: 'GET', headers })
    await response.body.dump()
    return response.statusCode === 200
  })
  await pool.close()
  return result
}
