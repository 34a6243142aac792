import { defineTask, type RunnableTask } from '../plugins/queue.ts'
import { purgeAbandonedUploads } from '../resources/contacts/imports.repository.ts'
import { purgeIdempotencyKeys } from '../resources/messages/idempotency.ts'

export const HOUSEKEEPING_TASK = 'housekeeping'

/** Hourly: forgets expired Idempotency-Keys and removes uploads a crash cut off mid-stream. */
export function housekeepingTask(): RunnableTask {
  return defineTask({
    name: HOUSEKEEPING_TASK,
    cron: '17 * * * *',
    parse: () => ({}),
    run: async (app) => {
      const purged = {
        idempotencyKeys: await purgeIdempotencyKeys(app.db),
        abandonedUploads: await purgeAbandonedUploads(app.db)
      }
      if (purged.idempotencyKeys + purged.abandonedUploads > 0) app.log.info(purged, 'housekeeping purged expired rows')
    }
  })
}
