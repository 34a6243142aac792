import type { Logger } from 'pino'
import { createConfiguredCarriers } from './carriers/configured-carriers.ts'
import { createCarrierRegistry, type CarrierRegistry } from './carriers/registry.ts'
import type { Config } from './config.ts'
import { createDb } from './db/connect.ts'
import type { Db } from './db/database.ts'
import { Queue, type Task } from './db/job-queue.ts'
import { WebhookDelivery } from './resources/webhooks/webhook-delivery.ts'

/** What services and tasks work with: plain handles, the same in the HTTP app and the worker. */
export interface Deps {
  db: Db
  queue: Queue
  carriers: CarrierRegistry
  config: Readonly<Config>
  log: Logger
  /** Started with the job workers (src/background-work.ts); idle in an instance that only serves HTTP. */
  webhooks: WebhookDelivery
}

export interface DepsOptions {
  /** A database handle to use instead of one built from config.databaseUrl (closeDeps still closes it). */
  db?: Db
  log: Logger
  /**
   * The background tasks whose queues to create: the entry points hand in src/jobs/tasks.ts, so this
   * file, which every task's run reaches through its services, imports no task.
   */
  tasks: readonly Task[]
}

/** Opens the database pool, starts the job queue (creating the tasks' queues) and builds the carriers. */
export async function createDeps(config: Readonly<Config>, options: DepsOptions): Promise<Deps> {
  if (!config.databaseUrl)
    throw new Error('Parley needs config.databaseUrl; src/db/open.ts starts the embedded database first')
  const db = options.db ?? createDb(config.databaseUrl, config.databasePoolSize)
  const queue = new Queue({
    connectionString: config.databaseUrl,
    runWorkers: config.workers,
    superviseSeconds: config.queueSuperviseSeconds,
    cronCheckSeconds: config.queueCronCheckSeconds,
    log: options.log
  })
  try {
    await queue.start(options.tasks)
  } catch (error) {
    await db.destroy()
    throw error
  }
  const carriers = createCarrierRegistry(
    { db, sandboxDeliveryDelayMs: config.sandboxDeliveryDelayMs },
    createConfiguredCarriers(config, options.log)
  )
  const webhooks = new WebhookDelivery(db, options.log, config.webhooks, config.databaseUrl)
  return { db, queue, carriers, config, log: options.log, webhooks }
}

/** Lets running jobs finish, then closes the carriers' connections, then the database pool. */
export async function closeDeps(deps: Deps): Promise<void> {
  try {
    await deps.queue.stop()
    await deps.webhooks.stop()
    await deps.carriers.close()
  } finally {
    await deps.db.destroy()
  }
}
