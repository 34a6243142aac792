import { Type } from 'typebox'
import { purgeAbandonedUploads } from '../resources/contacts/imports.repository.ts'
import { purgeIdempotencyKeys } from '../resources/messages/send/idempotency.repository.ts'
import { defineTask } from './queue.ts'

/** Hourly: forgets expired Idempotency-Keys and removes uploads a crash cut off mid-stream. */
export const housekeepingTask = defineTask({
  name: 'housekeeping',
  payload: Type.Object({}),
  cron: '17 * * * *',
  run: async ({ db, log }) => {
    const purged = {
      idempotencyKeys: await purgeIdempotencyKeys(db),
      abandonedUploads: await purgeAbandonedUploads(db)
    }
    if (purged.idempotencyKeys + purged.abandonedUploads > 0) log.info(purged, 'housekeeping purged expired rows')
  }
})
