import { Type, type Static } from 'typebox'
import type { Tx } from '../db/database.ts'
import { expandNextBatch } from '../resources/messages/send/send.service.ts'
import { defineTask, type Queue } from '../db/job-queue.ts'

const ExpandPayload = Type.Object({
  accountId: Type.String(),
  jobId: Type.String()
})

/** Writes the messages of a large send batch by batch; each batch commits with the job's cursor. */
export const messagesExpandTask = defineTask({
  name: 'messages-expand',
  payload: ExpandPayload,
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

export async function enqueueExpansion(tx: Tx, queue: Queue, payload: Static<typeof ExpandPayload>): Promise<void> {
  await queue.enqueue(tx, messagesExpandTask, payload)
}
