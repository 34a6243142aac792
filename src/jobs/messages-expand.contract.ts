import { Type, type Static } from 'typebox'
import type { Tx } from '../db/database.ts'
import { defineContract, type Queue } from '../db/job-queue.ts'

const ExpandPayload = Type.Object({
  accountId: Type.String(),
  jobId: Type.String()
})

/** Writes the messages of a large send batch by batch; run in ./messages-expand.ts. */
export const messagesExpandContract = defineContract({ name: 'messages-expand', payload: ExpandPayload })

export async function enqueueExpansion(tx: Tx, queue: Queue, payload: Static<typeof ExpandPayload>): Promise<void> {
  await queue.enqueue(tx, messagesExpandContract, payload)
}
