import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import t from 'tap'
import { createTestDatabase } from '../helpers/database.ts'
import { freePort } from '../helpers/ports.ts'

async function until(done: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// A Redis server of this test's own, stopped and started again under a running Parley server.
function startRedis(t: { teardown: (fn: () => void) => void }, port: number): ChildProcess {
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore'
    }
  )
  t.teardown(() => {
    if (redis.exitCode === null) redis.kill('SIGKILL')
  })
  return redis
}

const redisAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)))
    socket.on('error', () => resolve(false))
  })

const credential = {
  accountId: 'outage',
  clientId: '12345678-1234-1234-1234-123456789012',
  clientSecret: '87654321-4321-4321-4321-098765432121'
}

t.test(
  'a Redis outage is logged once each way, prints nothing from ioredis, and the API answers throughout',
  async (t) => {
    const redisPort = await freePort()
    let redis = startRedis(t, redisPort)
    await until(() => redisAnswers(redisPort), 'redis-server')

    const port = await freePort()
    const server = spawn(process.execPath, ['src/server.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: await createTestDatabase(t),
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        PARLEY_WORKERS: 'false',
        PARLEY_RATE_LIMIT_MAX: '5',
        PARLEY_BOOTSTRAP_ACCOUNT_ID: credential.accountId,
        PARLEY_BOOTSTRAP_CLIENT_ID: credential.clientId,
        PARLEY_BOOTSTRAP_CLIENT_SECRET: credential.clientSecret
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    server.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    t.teardown(() => {
      if (server.exitCode === null) server.kill('SIGKILL')
    })
    const base = `http://127.0.0.1:${port}`
    await until(
      () =>
        fetch(`${base}/ready`).then(
          (answer) => answer.ok,
          () => server.exitCode !== null && Promise.reject(new Error(`the server exited: ${stderr}`))
        ),
      'the server',
      60_000
    )

    const token = (
      (await (
        await fetch(`${base}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            grant_type: 'client_credentials',
            client_id: credential.clientId,
            client_secret: credential.clientSecret
          })
        })
      ).json()) as { access_token: string }
    ).access_token
    const statuses = async (count: number) => {
      const answers: number[] = []
      for (let i = 0; i < count; i++)
        answers.push(
          (
            await fetch(`${base}/v1/accounts/${credential.accountId}`, {
              headers: { authorization: `Bearer ${token}` }
            })
          ).status
        )
      return answers
    }
    const lines = () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string })
    const gone = () => lines().filter((line) => line.msg.startsWith('Redis is unreachable'))
    const back = () => lines().filter((line) => line.msg.startsWith('Redis answers again'))

    t.same(await statuses(6), [200, 200, 200, 200, 200, 429], 'the limit holds while Redis is up')

    redis.kill('SIGKILL')
    await until(() => gone().length > 0, 'the warning that Redis is gone')
    t.same(await statuses(8), Array(8).fill(200), 'during the outage every request is answered: the limit fails open')
    // Long enough for ioredis to retry several times (its delay grows by 50 ms a try, up to 2 s).
    await new Promise((resolve) => setTimeout(resolve, 3000))

    redis = startRedis(t, redisPort)
    await until(() => back().length > 0, 'the line that Redis is back')
    t.same(await statuses(6), [200, 200, 200, 200, 200, 429], 'the limit holds again (the new Redis starts empty)')

    server.kill('SIGTERM')
    t.equal((await once(server, 'exit'))[0], 0, 'the server stops cleanly')
    redis.kill('SIGTERM')
    t.equal(gone().length, 1, 'one warning when Redis went away')
    t.equal(back().length, 1, 'one when it came back')
    t.match(gone()[0], { level: 40, redis: { code: 'ECONNREFUSED' } })
    t.equal(back()[0]!.level, 40)
    t.notMatch(stderr, /ioredis|Unhandled error event/, 'nothing from ioredis on stderr')
    t.equal(stderr, '', 'nothing on stderr at all')
  }
)
