import fp from 'fastify-plugin'
import { startBackgroundWork } from '../background-work.ts'
import type { Task } from '../db/job-queue.ts'

/**
 * In an instance that runs workers (PARLEY_WORKERS, the default), the job workers and the carriers'
 * connections start once the app is ready; closing the app stops them (src/plugins/app-deps.ts).
 */
export const queuePlugin = fp<{ runWorkers: boolean; tasks: readonly Task[] }>(
  async (app, { runWorkers, tasks }) => {
    if (runWorkers) app.addHook('onReady', async () => await startBackgroundWork(app.deps, tasks))
  },
  { name: 'queue', dependencies: ['deps'] }
)
