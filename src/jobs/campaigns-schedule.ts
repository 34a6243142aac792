import { Type } from 'typebox'
import { runDueCampaigns } from '../resources/campaigns/campaigns.service.ts'
import { defineTask } from '../db/job-queue.ts'

/**
 * Every minute (the finest cron step): runs the scheduled campaigns whose tick is due. pg-boss
 * starts one job per minute across instances; claiming each tick in the database makes even
 * overlapping passes (a slow one, a retry) run a tick once.
 */
export const campaignsScheduleTask = defineTask({
  name: 'campaigns-schedule',
  payload: Type.Object({}),
  cron: '* * * * *',
  queue: { retryLimit: 2, retryDelay: 10, expireInSeconds: 600 },
  run: async (deps) => {
    const ran = await runDueCampaigns(deps)
    if (ran > 0) deps.log.info({ ran }, 'scheduled campaigns ran')
  }
})
