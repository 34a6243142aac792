import { spawn, type ChildProcess } from 'node:child_process'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually, sandboxSender } from '../helpers/messaging.ts'
import { caller } from '../helpers/api.ts'

// `npm run worker` as a child process, so it can be killed without warning.
function startWorker(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ['scripts/worker.ts'], {
    stdio: 'ignore',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      PARLEY_SANDBOX_DELIVERY_DELAY_MS: '50',
      // Jobs of a worker that stopped heartbeating are retried within a second of being noticed.
      PARLEY_QUEUE_SUPERVISE_SECONDS: '1'
    }
  })
}

async function stopped(worker: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return
  const exited = new Promise((resolve) => worker.once('exit', resolve))
  worker.kill(signal)
  await exited
}

t.test('a worker killed mid-batch loses no message and sends none twice', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  // This instance only takes requests: the messages are dispatched by the worker processes.
  const app = await buildTestApp(t, {
    DATABASE_URL: databaseUrl,
    PARLEY_WORKERS: 'false',
    PARLEY_DISPATCH_BATCH_SIZE: '20'
  })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  await sandboxSender(app, account, { throughput: 20 })
  const count = 80
  const { body } = await api('POST', '/messages', {
    contacts: Array.from({ length: count }, (_, index) => ({ mobile: { number: `+1202555${3000 + index}` } })),
    template: 'Survives a crash'
  })
  t.equal(body.data.valid, count)
  const submitted = async () =>
    Number(
      (
        await app.db
          .selectFrom('sandbox_messages')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .executeTakeFirstOrThrow()
      ).count
    )

  const first = startWorker(databaseUrl)
  t.teardown(() => stopped(first, 'SIGKILL'))
  const before = await eventually(submitted, (n) => n >= 20, 60_000)
  await stopped(first, 'SIGKILL')
  const atKill = await submitted()
  t.ok(before >= 20 && atKill < count, `killed mid-batch, after ${atKill} of ${count} submissions`)

  const second = startWorker(databaseUrl)
  t.teardown(() => stopped(second, 'SIGTERM'))
  const statuses = async () =>
    await app.db.selectFrom('messages').select(['id', 'status']).where('account_id', '=', account.accountId).execute()
  const final = await eventually(statuses, (rows) => rows.every((row) => row.status === 'delivered'), 90_000)
  t.equal(final.filter((row) => row.status === 'delivered').length, count, 'every message delivered')

  const sandbox = await app.db.selectFrom('sandbox_messages').select(['idempotency_key', 'attempts']).execute()
  t.equal(sandbox.length, count, 'exactly one carrier message per message')
  t.same(new Set(sandbox.map((row) => row.idempotency_key)), new Set(final.map((row) => row.id)))
  t.comment(`resubmitted after the kill: ${sandbox.filter((row) => row.attempts > 1).length}`)
})
