import { PassThrough } from 'node:stream'
import { sql } from 'kysely'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { contactsImportTask } from '../../src/jobs/contacts-import.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { tasks } from '../../src/jobs/tasks.ts'

// pg-boss's own schedule fires the cron tasks here: nothing calls runDueCampaigns or a task's run.
// pg-boss looks for due schedules every second (PARLEY_QUEUE_CRON_CHECK_SECONDS), so the only wait
// is the campaign's first minute, at most one real tick.
t.test('cron tasks run on pg-boss schedule, and a failing job says so in the log', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const logStream = new PassThrough()
  logStream.on('data', (chunk: Buffer) =>
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    )
  )
  const app = await buildApp(
    loadConfig({
      ...quickSandbox,
      DATABASE_URL: await createTestDatabase(t),
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '4',
      PARLEY_JWT_SECRET: 'test-signing-secret-that-is-long-enough-0123456789',
      PARLEY_QUEUE_CRON_CHECK_SECONDS: '1'
    }),
    { logStream, tasks }
  )
  t.teardown(() => app.close())
  await app.ready()
  const account = await createTestAccount(app)
  const api = caller(app, account)
  await sandboxSender(app, account)
  await created(
    api('POST', '/contacts', {
      firstName: 'Ann',
      mobile: { number: '+12025551000', country: 'US' },
      tags: [{ tag: 'w' }]
    })
  )

  t.test('a job whose payload the task refuses is logged with its task, attempt and cause', async (t) => {
    // What a job written by another version of the code looks like to this one.
    const forged = { accountId: account.accountId, requestId: 'req-forged' } as never
    const jobId = await app.db.transaction().execute((tx) => app.deps.queue.enqueue(tx, contactsImportTask, forged))
    const failed = await eventually(
      async () => lines.find((line) => line.job === jobId && String(line.msg).startsWith('job failed')),
      Boolean
    )
    t.match(failed, {
      task: 'contacts-import',
      accountId: account.accountId,
      requestId: 'req-forged',
      attempt: 1,
      retriesLeft: Number,
      err: { message: String }
    })
  })

  t.test('a scheduled campaign runs once on its tick, and housekeeping runs', async (t) => {
    const campaign = await created(
      api('POST', '/campaigns', {
        name: 'Every minute',
        trigger: { code: 'S' },
        template: 'Tick, {{{firstName}}}',
        filters: { tags: ['w'] },
        schedule: { cron: '* * * * *' }
      })
    )
    t.equal(campaign.lastJob, null)

    // Housekeeping is hourly (minute 17); its schedule row is moved to every minute, as if that
    // minute had come, and an expired Idempotency-Key waits for it.
    await app.db
      .insertInto('idempotency_keys')
      .values({
        account_id: account.accountId,
        caller: 'c',
        key: 'expired',
        request_hash: 'h',
        created_at: sql<Date>`now() - interval '30 hours'`
      })
      .execute()
    await sql`update pgboss.schedule set cron = '* * * * *' where name = 'housekeeping'`.execute(app.db)
    const purged = await eventually(
      async () =>
        !(await app.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'expired').executeTakeFirst()),
      Boolean
    )
    t.ok(purged, 'housekeeping ran on its schedule and purged the expired key')

    await eventually(
      async () =>
        await app.db.selectFrom('campaigns').select('last_job_id').where('id', '=', campaign.id).executeTakeFirst(),
      (row) => Boolean(row?.last_job_id),
      75_000
    )
    const ran = await created(api('GET', `/campaigns/${campaign.id}`))
    t.ok(ran.lastJob, 'the campaign ran on the minute')
    const jobs = await app.db.selectFrom('send_jobs').select('id').where('account_id', '=', account.accountId).execute()
    t.same(
      jobs.map((job) => job.id),
      [ran.lastJob.id],
      'once'
    )
    const sent = await created(api('GET', `/messages?jobId=${ran.lastJob.id}&limit=10`))
    t.same(
      sent.map((message: { message: string }) => message.message),
      ['Tick, Ann']
    )
    const failures = await sql<{ name: string }>`
      select name from pgboss.job where name in ('campaigns-schedule', 'housekeeping') and state = 'failed'`.execute(
      app.db
    )
    t.same(failures.rows, [], 'no scheduled job failed')
  })
})
