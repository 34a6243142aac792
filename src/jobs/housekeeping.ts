import { Type } from 'typebox'
import { purgeAbandonedUploads } from '../resources/contacts/imports.repository.ts'
import { purgeExpiredFiles } from '../resources/files/files.repository.ts'
import { purgeIdempotencyKeys } from '../resources/messages/send/idempotency.repository.ts'
import { defineTask } from '../db/job-queue.ts'

/** Hourly: forgets expired Idempotency-Keys, removes uploads a crash cut off mid-stream and the bytes of expired shared files. */
export const housekeepingTask = defineTask({
  name: 'housekeeping',
  payload: Type.Object({}),
  cron: '17 * * * *',
  run: async ({ db, log }) => {
    const purged = {
      idempotencyKeys: await purgeIdempotencyKeys(db),
      abandonedUploads: await purgeAbandonedUploads(db),
      expiredFiles: await purgeExpiredFiles(db)
    }
    if (purged.idempotencyKeys + purged.abandonedUploads + purged.expiredFiles > 0)
      log.info(purged, 'housekeeping purged expired rows')
  }
})
