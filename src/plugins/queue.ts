import fp from 'fastify-plugin'
import { startBackgroundWork } from '../worker.ts'

/**
 * In an instance that runs workers (PARLEY_WORKERS, the default), the job workers and the carriers'
 * connections start once the app is ready; closing the app stops them (src/plugins/deps.ts).
 */
export const queuePlugin = fp<{ runWorkers: boolean }>(
  async (app, { runWorkers }) => {
    if (runWorkers) app.addHook('onReady', async () => await startBackgroundWork(app.deps))
  },
  { name: 'queue', dependencies: ['deps'] }
)
