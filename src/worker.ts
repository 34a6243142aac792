import type { Config } from './config.ts'
import type { Db } from './db/database.ts'
import { closeDeps, createDeps, type Deps } from './deps.ts'
import { tasks } from './jobs/tasks.ts'
import { createLogger } from './logger.ts'
import { receiveCarrierEvents } from './resources/messages/carrier-events.ts'

/** Starts the carriers' connections (their events enter the message path), the job workers and webhook delivery. */
export async function startBackgroundWork(deps: Deps): Promise<void> {
  for (const name of deps.carriers.names()) {
    const adapter = deps.carriers.get(name)
    await adapter.start?.(async (event) => {
      await receiveCarrierEvents(deps, name, [event])
    })
  }
  await deps.queue.work(deps, tasks)
  deps.webhooks.start()
}

export interface Worker {
  deps: Deps
  close: () => Promise<void>
}

/**
 * `npm run worker` (scripts/worker.ts): the background work alone, with no HTTP app and no port, for
 * deployments that scale workers apart from the HTTP instances (PARLEY_WORKERS=false there).
 */
export async function startWorker(
  config: Readonly<Config>,
  options: { db?: Db; logStream?: NodeJS.WritableStream } = {}
): Promise<Worker> {
  const log = createLogger(config, options.logStream)
  const deps = await createDeps({ ...config, workers: true }, { db: options.db, log })
  try {
    await startBackgroundWork(deps)
  } catch (error) {
    await closeDeps(deps)
    throw error
  }
  log.info('Parley worker is running')
  return { deps, close: () => closeDeps(deps) }
}
