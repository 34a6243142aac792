// CI smoke of the zero-setup path: start Parley with no DATABASE_URL (embedded PostgreSQL in a
// fresh folder), get a token, call the account route, stop with SIGTERM; then a warm second start;
// then a start whose cluster is restarted from outside with pg_ctl, which SIGTERM must still stop;
// then a SIGTERM in the middle of a first start-up, which must still stop the embedded server.
// Fails on any error logged on the way (but for the outside restart's); prints both start-up times.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { temporaryDataDir } from '../src/db/embedded.ts'

const dataDir = temporaryDataDir('parley-smoke-')
const port = 3900 + Math.floor(Math.random() * 90)
const base = `http://127.0.0.1:${port}`
const credential = {
  accountId: 'smoke',
  clientId: '12345678-1234-1234-1234-123456789012',
  clientSecret: '87654321-4321-4321-4321-098765432121'
}
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: '',
  REDIS_URL: '',
  PORT: String(port),
  LOG_LEVEL: 'warn',
  PARLEY_DATA_DIR: dataDir,
  PARLEY_BOOTSTRAP_ACCOUNT_ID: credential.accountId,
  PARLEY_BOOTSTRAP_CLIENT_ID: credential.clientId,
  PARLEY_BOOTSTRAP_CLIENT_SECRET: credential.clientSecret
}

let output = ''

function spawnServer(serverEnv: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['src/server.ts'], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk)
      output += chunk
    })
  }
  return child
}

async function startServer(): Promise<{ child: ChildProcess; ms: number }> {
  const started = Date.now()
  const child = spawnServer(env)
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    const ready = await fetch(`${base}/ready`).then(
      (response) => response.ok,
      () => false
    )
    if (ready) return { child, ms: Date.now() - started }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error('server did not become ready within 60 s')
}

async function stopServer(child: ChildProcess, { errorsExpected = false } = {}): Promise<void> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  const code = await exited
  if (code !== 0) throw new Error(`server exited with ${code} after SIGTERM`)
  // pino levels 50 and 60 are error and fatal: a clean start and stop logs neither.
  if (!errorsExpected && /"level":(50|60)/.test(output)) throw new Error('the server logged an error')
}

async function check(): Promise<void> {
  const token = (await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret
    })
  }).then((response) => response.json())) as { access_token: string }
  const account = await fetch(`${base}/v1/accounts/${credential.accountId}`, {
    headers: { authorization: `Bearer ${token.access_token}` }
  })
  const body = (await account.json()) as { success: boolean; data: { id: string } }
  if (!account.ok || !body.success || body.data.id !== credential.accountId)
    throw new Error(`account route answered ${account.status} ${JSON.stringify(body)}`)
}

// A stopped server whose parent has not reaped it yet (a zombie, state Z) has stopped too.
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : ''
  return !/^\d+ \(.*\) Z/.test(stat)
}

/**
 * An operator restarts the embedded cluster with the pg_ctl beside its postgres (postmaster.opts
 * names it), as the cluster's user; Parley's SIGTERM must still stop the server now running.
 */
async function restartFromOutside(): Promise<void> {
  const { child } = await startServer()
  const clusterDir = path.join(dataDir, 'postgres')
  const postgres = readFileSync(path.join(clusterDir, 'postmaster.opts'), 'utf8').split(' ')[0]!
  const asClusterUser =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
          gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
        }
      : {}
  execFileSync(
    path.join(path.dirname(postgres), 'pg_ctl'),
    ['restart', '--wait', '--mode=fast', `--pgdata=${clusterDir}`],
    {
      ...asClusterUser,
      cwd: '/',
      stdio: 'ignore'
    }
  )
  const restarted = Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  // Its connections were cut, so errors are logged until the pools reconnect; the API answers again.
  for (let attempt = 0; ; attempt++) {
    try {
      await check()
      break
    } catch (error) {
      if (attempt === 50) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  await stopServer(child, { errorsExpected: true })
  output = ''
  if (existsSync(path.join(clusterDir, 'postmaster.pid')) || isAlive(restarted))
    throw new Error('SIGTERM left the embedded PostgreSQL that was restarted from outside running')
}

/** SIGTERM while initdb runs: the server finishes starting, then stops, and no cluster is left running. */
async function interruptStartUp(): Promise<void> {
  const interruptedDir = temporaryDataDir('parley-smoke-interrupted-')
  try {
    const child = spawnServer({ ...env, PARLEY_DATA_DIR: interruptedDir, PORT: String(port + 1) })
    const clusterDir = path.join(interruptedDir, 'postgres')
    for (let attempt = 0; attempt < 3000 && !existsSync(clusterDir); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 10))
    if (!existsSync(clusterDir)) throw new Error('the embedded cluster was never created')
    await stopServer(child)
    if (existsSync(path.join(clusterDir, 'postmaster.pid')))
      throw new Error('a SIGTERM during start-up left the embedded PostgreSQL running')
  } finally {
    rmSync(interruptedDir, { recursive: true, force: true })
  }
}

try {
  const fresh = await startServer()
  await check()
  await stopServer(fresh.child)
  const warm = await startServer()
  await check()
  await stopServer(warm.child)
  await restartFromOutside()
  await interruptStartUp()
  process.stdout.write(`embedded smoke passed: fresh start ${fresh.ms} ms, warm start ${warm.ms} ms\n`)
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
