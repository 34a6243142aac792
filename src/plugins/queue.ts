import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { CompiledQuery } from 'kysely'
import { PgBoss, type JobInsert, type QueueOptions, type SendOptions } from 'pg-boss'
import type { Tx } from '../db/database.ts'

/** A background task: one file per task under src/jobs/, listed in src/jobs/tasks.ts. */
export interface Task<T> {
  name: string
  queue?: QueueOptions
  /** Jobs of this task one process runs at once (default 1). */
  concurrency?: number
  /** A cron expression: the task also runs on that schedule, once across all instances. */
  cron?: string
  /** Checks a job's payload at run time: it was written by another version of the code, maybe. */
  parse: (data: unknown) => T
  run: (app: FastifyInstance, data: T, job: JobRef) => Promise<void>
}

export interface JobRef {
  id: string
  retryCount: number
}

/** A task with its payload type sealed in, so tasks of different payloads share one list. */
export interface RunnableTask {
  name: string
  queue?: QueueOptions
  concurrency?: number
  cron?: string
  handle: (app: FastifyInstance, data: unknown, job: JobRef) => Promise<void>
}

export function defineTask<T>(task: Task<T>): RunnableTask {
  return {
    name: task.name,
    queue: task.queue,
    concurrency: task.concurrency,
    cron: task.cron,
    handle: async (app, data, job) => {
      await task.run(app, task.parse(data), job)
    }
  }
}

export interface QueuePluginOptions {
  connectionString: string
  /** False for an instance that only serves HTTP; its jobs run in a worker process. */
  runWorkers: boolean
  tasks: readonly RunnableTask[]
  /** How often pg-boss retries the jobs of workers that stopped sending heartbeats. */
  superviseSeconds?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    queue: PgBoss
  }
}

/** pg-boss on the app's database, started with the app and stopped, after running jobs finish, on close. */
export const queuePlugin = fp<QueuePluginOptions>(
  async (app, options) => {
    // A small pool of its own: enqueueing inside a request's transaction uses that transaction instead.
    const boss = new PgBoss({
      connectionString: options.connectionString,
      max: 3,
      supervise: options.runWorkers,
      schedule: options.runWorkers,
      superviseIntervalSeconds: options.superviseSeconds,
      monitorIntervalSeconds: options.superviseSeconds
    })
    boss.on('error', (error) => app.log.error({ err: error }, 'job queue error'))
    await boss.start()
    for (const task of options.tasks) await boss.createQueue(task.name, task.queue)
    app.decorate('queue', boss)
    app.addHook('onClose', async () => {
      await boss.stop({ graceful: true, timeout: 30_000 })
    })

    if (!options.runWorkers) return
    for (const task of options.tasks) {
      if (task.cron) await boss.schedule(task.name, task.cron)
      await boss.work<unknown>(
        task.name,
        { batchSize: 1, pollingIntervalSeconds: 1, localConcurrency: task.concurrency ?? 1 },
        async ([job]) => {
          const { accountId, requestId } = (job!.data ?? {}) as { accountId?: string; requestId?: string }
          const log = app.log.child({ job: job!.id, task: task.name, accountId, requestId })
          log.info('job started')
          await task.handle(app, job!.data, { id: job!.id, retryCount: job!.retryCount })
          log.info('job finished')
        }
      )
    }
  },
  { name: 'queue', dependencies: ['database'] }
)

/**
 * Enqueues a job as part of an open transaction, so the job exists if and only if the transaction
 * commits (pg-boss runs its insert through the connection it is handed).
 */
export async function enqueueInTransaction(
  boss: PgBoss,
  tx: Tx,
  name: string,
  data: object,
  options: Omit<SendOptions, 'db'> = {}
): Promise<string> {
  const id = await boss.send(name, data, { ...options, db: transactionDb(tx) })
  if (id === null) throw new Error(`pg-boss did not create a ${name} job`)
  return id
}

/** Many jobs of one task in one statement, as part of an open transaction. */
export async function enqueueManyInTransaction(boss: PgBoss, tx: Tx, name: string, jobs: JobInsert[]): Promise<void> {
  if (jobs.length > 0) await boss.insert(name, jobs, { db: transactionDb(tx) })
}

function transactionDb(tx: Tx) {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values ?? []))
      return { rows: result.rows as unknown[] }
    }
  }
}
