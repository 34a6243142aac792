import type { Config } from './config.ts'
import type { Db } from './db/database.ts'
import { startBackgroundWork } from './background-work.ts'
import { closeDeps, createDeps, type Deps } from './deps.ts'
import { tasks } from './jobs/tasks.ts'
import { createLogger } from './logger.ts'

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
  const deps = await createDeps({ ...config, workers: true }, { db: options.db, log, tasks })
  try {
    await startBackgroundWork(deps, tasks)
  } catch (error) {
    await closeDeps(deps)
    throw error
  }
  log.info('Parley worker is running')
  return { deps, close: () => closeDeps(deps) }
}
