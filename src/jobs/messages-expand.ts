import { defineTask } from '../db/job-queue.ts'
import { expandNextBatch } from '../resources/messages/send/send.service.ts'
import { messagesExpandContract } from './messages-expand.contract.ts'

/** Writes the messages of a large send batch by batch; each batch commits with the job's cursor. */
export const messagesExpandTask = defineTask({
  ...messagesExpandContract,
  queue: {
    retryLimit: 10,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    heartbeatSeconds: 10,
    expireInSeconds: 3600
  },
  run: async (deps, { accountId, jobId }) => {
    let done = false
    while (!done) done = await expandNextBatch(deps, accountId, jobId)
  }
})
