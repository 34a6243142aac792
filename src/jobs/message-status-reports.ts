import { defineTask } from '../db/job-queue.ts'
import { receiveCarrierEvents } from '../resources/messages/carrier-events.service.ts'
import { messageStatusReportsContract } from './message-status-reports.contract.ts'

/** Applies status reports a carrier announced in advance (the sandbox's), at the time it named. */
export const messageStatusReportsTask = defineTask({
  ...messageStatusReportsContract,
  queue: { retryLimit: 10, retryDelay: 1, retryBackoff: true, retryDelayMax: 300 },
  concurrency: (config) => config.messaging.dispatchConcurrency,
  run: async (deps, { carrier, accountId, reports }) => {
    await receiveCarrierEvents(
      deps,
      carrier,
      reports.map((report) => ({ kind: 'status' as const, report })),
      { accountId }
    )
  }
})
