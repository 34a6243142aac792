import { defineTask, type RunnableTask } from '../plugins/queue.ts'
import { purgeIdempotencyKeys } from '../resources/messages/idempotency.ts'

/** Hourly: forgets Idempotency-Keys older than a day. */
export function idempotencyKeysCleanupTask (): RunnableTask {
  return defineTask({
    name: 'idempotency-keys-cleanup',
    cron: '17 * * * *',
    parse: () => ({}),
    run: async (app) => {
      const purged = await purgeIdempotencyKeys(app.db)
      if (purged > 0) app.log.info({ purged }, 'purged expired idempotency keys')
    }
  })
}
