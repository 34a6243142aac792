// What each benchmark compares itself with, measured in the same run on the same machine and
// database server: the floor of the work below Parley, so a figure on a busy machine still means
// something as a ratio.
import { spawn } from 'node:child_process'
import { createReadStream, readFileSync } from 'node:fs'
import { stripTypeScriptTypes } from 'node:module'
import { pipeline } from 'node:stream/promises'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { freePort } from './harness.ts'

/** The bare Fastify server of bare-server.ts: GET /point/:n answers one indexed contact lookup. */
export async function startBareServer(
  databaseUrl: string,
  accountId: string,
  mobilePrefix = '+1212',
  mobileBase = 2000000
): Promise<{ origin: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort()
  // Run as plain JavaScript, as Parley's compiled server is, so type stripping weighs on neither.
  const source = stripTypeScriptTypes(readFileSync('scripts/bench/bare-server.ts', 'utf8'))
  const child = spawn(process.execPath, ['--input-type=module', '--eval', source], {
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      ACCOUNT_ID: accountId,
      MOBILE_PREFIX: mobilePrefix,
      MOBILE_BASE: String(mobileBase)
    }
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
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

/** "x% of the ceiling": a rate as a share of the ceiling's rate. */
export const shareOf = (rate: number, ceiling: number) => `${((100 * rate) / ceiling).toFixed(0)}% of the ceiling`

/** Rows/s of a plain COPY of the CSV into an unindexed table of text columns, dropped afterwards. */
export async function copyCeiling(databaseUrl: string, file: string, columns: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`CREATE TABLE bench_bare_copy (${columns.map((name) => `"${name}" text`).join(', ')})`)
    const started = performance.now()
    await pipeline(
      createReadStream(file),
      client.query(copyFrom('COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)'))
    )
    const seconds = (performance.now() - started) / 1000
    const {
      rows: [row]
    } = await client.query<{ count: string }>('SELECT count(*) AS count FROM bench_bare_copy')
    return Number(row!.count) / seconds
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_bare_copy')
    await client.end()
  }
}

/**
 * Seconds to insert `count` message-like rows in multi-row statements of `batch`, then update each
 * row's status once, in an unindexed table but its key: what storing and settling a message costs
 * PostgreSQL at the least.
 */
export async function messageRowsCeiling(databaseUrl: string, count: number, batch = 1000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`CREATE TABLE bench_bare_messages (
      id text PRIMARY KEY, account_id text NOT NULL, contact_id text NOT NULL, body text NOT NULL,
      status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz)`)
    const started = performance.now()
    for (let from = 0; from < count; from += batch) {
      const ids = Array.from({ length: Math.min(batch, count - from) }, (_, i) => `m${from + i}`)
      await client.query(
        `INSERT INTO bench_bare_messages (id, account_id, contact_id, body, status)
         SELECT id, 'bench', 'c' || id, 'Hi First, the sale starts now. Reply STOP to opt out.', 'queued'
         FROM unnest($1::text[]) AS id`,
        [ids]
      )
    }
    for (let from = 0; from < count; from += batch) {
      const ids = Array.from({ length: Math.min(batch, count - from) }, (_, i) => `m${from + i}`)
      await client.query(
        `UPDATE bench_bare_messages SET status = 'delivered', updated_at = now() WHERE id = ANY($1::text[])`,
        [ids]
      )
    }
    return (performance.now() - started) / 1000
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_bare_messages')
    await client.end()
  }
}
