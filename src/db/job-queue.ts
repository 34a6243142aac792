import { CompiledQuery } from 'kysely'
import { PgBoss, type QueueOptions, type SendOptions } from 'pg-boss'
import type { Logger } from 'pino'
import { Type, type Static, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import type { Config } from '../config.ts'
import type { Tx } from './database.ts'
import type { Deps } from '../deps.ts'

export interface JobRef {
  id: string
  retryCount: number
}

/**
 * What code that enqueues a task imports (src/jobs/<task>.contract.ts): its name and payload schema,
 * never its run, which imports the services it calls and would close an import cycle.
 */
export interface TaskContract<S extends TSchema = TSchema> {
  name: string
  /** The payload, checked at run time: the job may have been written by another version of the code. */
  payload: S
}

export function defineContract<S extends TSchema>(contract: TaskContract<S>): TaskContract<S> {
  return contract
}

/**
 * A background task: its contract and its run, one file per task under src/jobs/, listed in
 * src/jobs/tasks.ts, which the entry points hand to the queue.
 */
export interface Task<S extends TSchema = TSchema> extends TaskContract<S> {
  queue?: QueueOptions
  /** Jobs of this task one process runs at once (default 1). */
  concurrency?: (config: Readonly<Config>) => number
  /** A cron expression: the task also runs on that schedule, once across all instances, with the payload {}. */
  cron?: string
  /** deps.log is a child logger naming the job, its task, account and request. */
  run(deps: Deps, payload: Static<S>, job: JobRef): Promise<void>
}

export function defineTask<S extends TSchema>(task: Task<S>): Task<S> {
  return task
}

export interface QueueSettings {
  connectionString: string
  /** False for an instance that only serves HTTP: it enqueues, but neither supervises nor schedules. */
  runWorkers: boolean
  /** How often pg-boss retries the jobs of workers that stopped sending heartbeats. */
  superviseSeconds?: number
  /** How often pg-boss looks for due cron schedules (1–45 s; its default is 30). */
  cronCheckSeconds?: number
  log: Logger
}

// What a job's log lines are tagged with, when its payload carries them.
const LogContext = Type.Object({ accountId: Type.Optional(Type.String()), requestId: Type.Optional(Type.String()) })
const CRON_PAYLOAD = {}

/** pg-boss on the application's database: one per process, shared by the HTTP app and the workers. */
export class Queue {
  readonly #boss: PgBoss

  constructor(settings: QueueSettings) {
    // A small pool of its own: enqueueing inside a request's transaction uses that transaction instead.
    this.#boss = new PgBoss({
      connectionString: settings.connectionString,
      max: 3,
      supervise: settings.runWorkers,
      schedule: settings.runWorkers,
      superviseIntervalSeconds: settings.superviseSeconds,
      monitorIntervalSeconds: settings.superviseSeconds,
      cronMonitorIntervalSeconds: settings.cronCheckSeconds,
      // A due minute is first filed in pg-boss's own send-it queue, then forwarded to the task's.
      cronWorkerIntervalSeconds: settings.cronCheckSeconds && Math.min(settings.cronCheckSeconds, 5)
    })
    this.#boss.on('error', (error) => settings.log.error({ err: error }, 'job queue error'))
  }

  /** Starts pg-boss and creates the tasks' queues (idempotent; safe when instances start at once). */
  async start(tasks: readonly Task[]): Promise<void> {
    await this.#boss.start()
    for (const task of tasks) await this.#boss.createQueue(task.name, task.queue)
  }

  /** Runs the tasks' jobs (and schedules the cron ones) in this process until stop(). */
  async work(deps: Deps, tasks: readonly Task[]): Promise<void> {
    for (const task of tasks) {
      if (task.cron) {
        if (!Value.Check(task.payload, CRON_PAYLOAD)) throw new Error(`The cron task ${task.name} must accept {}`)
        // pg-boss starts a scheduled job with the data the schedule was given, and null when none was,
        // which no payload schema of an object accepts: every tick failed (issue 20, test/jobs/cron.test.ts).
        await this.#boss.schedule(task.name, task.cron, CRON_PAYLOAD)
      }
      await this.#boss.work(
        task.name,
        {
          batchSize: 1,
          pollingIntervalSeconds: 1,
          localConcurrency: task.concurrency?.(deps.config) ?? 1,
          includeMetadata: true
        },
        async ([job]) => {
          const { id, data, retryCount, retryLimit } = job!
          const context = Value.Check(LogContext, data) ? { accountId: data.accountId, requestId: data.requestId } : {}
          const log = deps.log.child({ job: id, task: task.name, ...context })
          // A cron task's every tick at info would bury the jobs someone asked for.
          const level = task.cron ? 'debug' : 'info'
          log[level]('job started')
          try {
            await task.run({ ...deps, log }, Value.Parse(task.payload, data), { id, retryCount })
          } catch (error) {
            // pg-boss keeps the cause in pgboss.job.output only, where no one looks: a task that failed on
            // every tick went unnoticed for weeks.
            const retries = retryLimit - retryCount
            log[retries > 0 ? 'warn' : 'error'](
              { err: error, attempt: retryCount + 1, retriesLeft: Math.max(retries, 0) },
              retries > 0 ? 'job failed; it will be retried' : 'job failed; no retries left'
            )
            throw error
          }
          log[level]('job finished')
        }
      )
    }
  }

  /** Stops taking jobs and waits (at most 30 s) for the running ones to finish. */
  async stop(): Promise<void> {
    await this.#boss.stop({ graceful: true, timeout: 30_000 })
  }

  /**
   * Enqueues a job as part of an open transaction, so the job exists if and only if the transaction
   * commits (pg-boss runs its insert through the connection it is handed).
   */
  async enqueue<S extends TSchema>(
    tx: Tx,
    task: TaskContract<S>,
    payload: Static<S>,
    options: Omit<SendOptions, 'db'> = {}
  ): Promise<string> {
    const id = await this.#boss.send(task.name, payload as object, { ...options, db: transactionDb(tx) })
    if (id === null) throw new Error(`pg-boss did not create a ${task.name} job`)
    return id
  }

  /** Many jobs of one task in one statement, as part of an open transaction. */
  async enqueueMany<S extends TSchema>(
    tx: Tx,
    task: TaskContract<S>,
    jobs: ReadonlyArray<{ payload: Static<S>; startAfter?: Date }>
  ): Promise<void> {
    if (jobs.length === 0) return
    await this.#boss.insert(
      task.name,
      jobs.map(({ payload, startAfter }) => ({ data: payload as object, ...(startAfter ? { startAfter } : {}) })),
      { db: transactionDb(tx) }
    )
  }
}

function transactionDb(tx: Tx) {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values ?? []))
      return { rows: result.rows as unknown[] }
    }
  }
}
