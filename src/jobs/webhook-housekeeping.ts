import { Type } from 'typebox'
import { purgeFinishedDeliveries } from '../resources/webhooks/webhook-deliveries.repository.ts'
import { defineTask } from '../db/job-queue.ts'

// How long a finished delivery's record (attempts, last status) stays listed under …/deliveries.
const RETENTION_MS = 30 * 24 * 60 * 60 * 1000

/** Daily: removes webhook deliveries that finished more than 30 days ago. */
export const webhookHousekeepingTask = defineTask({
  name: 'webhook-housekeeping',
  payload: Type.Object({}),
  cron: '41 3 * * *',
  run: async ({ db, log }) => {
    const purged = await purgeFinishedDeliveries(db, new Date(Date.now() - RETENTION_MS))
    if (purged > 0) log.info({ purged }, 'webhook housekeeping removed finished deliveries')
  }
})
