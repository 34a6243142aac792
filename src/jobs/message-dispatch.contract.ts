import { Type, type Static } from 'typebox'
import type { Tx } from '../db/database.ts'
import { defineContract, type Queue } from '../db/job-queue.ts'

const DispatchPayload = Type.Object({
  accountId: Type.String(),
  messageIds: Type.Array(Type.String(), { minItems: 1 })
})
export type DispatchPayload = Static<typeof DispatchPayload>

/** Hands queued messages to their carriers; run in ./message-dispatch.ts. */
export const messageDispatchContract = defineContract({ name: 'message-dispatch', payload: DispatchPayload })

export interface Dispatchable {
  id: string
  senderId: string
  sendAt: Date | null
  /** The sender's cap in messages per second; null is uncapped. */
  throughput: number | null
}

// A capped sender's job holds about this many seconds of sending, so slow senders do not keep the
// workers from everyone else's messages for long.
const CAPPED_JOB_SECONDS = 10

/**
 * One dispatch job per sender and send time for up to batchSize messages, all inserted in one
 * statement in the caller's transaction: a 100,000-recipient send is a hundred jobs, not 100,000,
 * and none exists unless its messages were committed. Big jobs matter: with 250 messages a job the
 * per-job overhead held the send benchmark to 1,700 messages/s, with 1,000 it reached 3,000.
 */
export async function enqueueDispatch(
  tx: Tx,
  queue: Queue,
  accountId: string,
  messages: readonly Dispatchable[],
  batchSize: number
): Promise<void> {
  const batches = new Map<string, Dispatchable[]>()
  for (const message of messages) {
    const key = `${message.senderId}/${message.sendAt?.getTime() ?? ''}`
    const batch = batches.get(key) ?? []
    batch.push(message)
    batches.set(key, batch)
  }
  const jobs = [...batches.values()].flatMap((batch) => {
    const chunks: Dispatchable[][] = []
    const throughput = batch[0]!.throughput
    const size =
      throughput === null ? batchSize : Math.max(1, Math.min(batchSize, Math.ceil(throughput * CAPPED_JOB_SECONDS)))
    for (let start = 0; start < batch.length; start += size) chunks.push(batch.slice(start, start + size))
    return chunks.map((chunk) => ({
      payload: { accountId, messageIds: chunk.map((message) => message.id) },
      ...(chunk[0]!.sendAt ? { startAfter: chunk[0]!.sendAt } : {})
    }))
  })
  await queue.enqueueMany(tx, messageDispatchContract, jobs)
}
