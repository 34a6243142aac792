import { Type, type Static } from 'typebox'
import type { Tx } from '../db/database.ts'
import { defineContract, type Queue } from '../db/job-queue.ts'

const StatusReportsPayload = Type.Object({
  carrier: Type.String(),
  /** The account of the messages reported on; absent only in jobs enqueued before it was recorded. */
  accountId: Type.Optional(Type.String()),
  reports: Type.Array(
    Type.Object({
      carrierMessageId: Type.String(),
      status: Type.Enum(['sent', 'delivered', 'undelivered', 'failed']),
      error: Type.Optional(Type.Object({ code: Type.String(), description: Type.String() }))
    })
  )
})
export type StatusReportsPayload = Static<typeof StatusReportsPayload>

/** Status reports a carrier announced in advance (the sandbox's); run in ./message-status-reports.ts. */
export const messageStatusReportsContract = defineContract({
  name: 'message-status-reports',
  payload: StatusReportsPayload
})

/** Each batch of reports is applied at its time (pg-boss startAfter), so they survive a restart. */
export async function enqueueStatusReports(
  tx: Tx,
  queue: Queue,
  batches: ReadonlyArray<{ payload: StatusReportsPayload; startAfter: Date }>
): Promise<void> {
  await queue.enqueueMany(tx, messageStatusReportsContract, batches)
}
