import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import type { PgBoss } from 'pg-boss'
import { carrierError } from '../../carriers/carrier-errors.ts'
import type { CarrierAdapter, Submission, SubmitResult } from '../../carriers/carrier.ts'
import type { CarrierRegistry } from '../../carriers/registry.ts'
import type { Db, DbOrTx } from '../../db/database.ts'
import type { DispatchJob } from './dispatch-queue.ts'
import { recordOutcomes, type Outcome } from './message-status.ts'
import type { MessageMedia, MessageType } from './messages.table.ts'

export interface Dispatcher {
  db: Db
  boss: PgBoss
  carriers: CarrierRegistry
}

interface Pending {
  id: string
  body: string
  type: MessageType
  media: MessageMedia[]
  to: string
  sender_id: string
  from: string
  carrier: string
  throughput: number | null
}

/** An outcome, and whether trying again later may change it. */
interface Attempt {
  outcome: Outcome
  retryable: boolean
}

/** Submits in flight at once for one job of an uncapped sender. */
const SUBMIT_CONCURRENCY = 16

async function pendingMessages(db: DbOrTx, { accountId, messageIds }: DispatchJob): Promise<Pending[]> {
  return await db
    .selectFrom('messages as m')
    .innerJoin('contacts as c', 'c.id', 'm.contact_id')
    .innerJoin('senders as s', 's.id', 'm.sender_id')
    .select([
      'm.id',
      'm.body',
      'm.type',
      'm.media',
      'c.mobile as to',
      's.id as sender_id',
      's.number as from',
      'm.carrier',
      's.throughput'
    ])
    .where('m.account_id', '=', accountId)
    .where('m.id', 'in', messageIds)
    .where('m.status', 'in', ['queued', 'scheduled'])
    .orderBy('m.id')
    .execute()
}

/**
 * Reserves `count` send slots of a throughput-capped sender and answers how many milliseconds until
 * the first. The next free slot lives in one row per sender, moved forward atomically, so every
 * worker of every instance draws from one schedule and the cap holds across all of them; the
 * database clock is the only clock involved. A worker that dies strands at most the slots it had
 * reserved, which is why it reserves about a second's worth at a time.
 */
async function reserveSlots(db: DbOrTx, senderId: string, count: number, throughput: number): Promise<number> {
  const span = count / throughput
  const {
    rows: [row]
  } = await sql<{ wait_ms: number }>`
    INSERT INTO sender_throttles AS t (sender_id, next_slot) VALUES (${senderId}, clock_timestamp() + make_interval(secs => ${span}))
    ON CONFLICT (sender_id) DO UPDATE SET next_slot = greatest(t.next_slot, clock_timestamp()) + make_interval(secs => ${span})
    RETURNING extract(epoch FROM (t.next_slot - make_interval(secs => ${span}) - clock_timestamp())) * 1000 AS wait_ms
  `.execute(db)
  return Math.max(0, Number(row!.wait_ms))
}

function submissionOf(accountId: string, message: Pending): Submission {
  return {
    idempotencyKey: message.id,
    accountId,
    from: message.from,
    to: message.to,
    text: message.body,
    type: message.type,
    media: message.media.map(({ url, type }) => ({ url, ...(type ? { type } : {}) }))
  }
}

function attemptOf(messageId: string, result: SubmitResult): Attempt {
  if (result.ok)
    return {
      outcome: { messageId, sent: true, carrierMessageId: result.carrierMessageId, reports: result.reports },
      retryable: false
    }
  return { outcome: { messageId, sent: false, error: result.error }, retryable: result.failure === 'retryable' }
}

// A throw means the outcome is unknown (a timeout, a dropped connection): try again with the same key.
const unknownOutcome = (messageId: string): Attempt => ({
  outcome: { messageId, sent: false, error: carrierError('MSG-026') },
  retryable: true
})

async function submit(adapter: CarrierAdapter, accountId: string, message: Pending): Promise<Attempt> {
  try {
    return attemptOf(message.id, await adapter.send(submissionOf(accountId, message)))
  } catch {
    return unknownOutcome(message.id)
  }
}

async function submitBatch(
  adapter: CarrierAdapter,
  sendBatch: NonNullable<CarrierAdapter['sendBatch']>,
  accountId: string,
  messages: readonly Pending[]
): Promise<Attempt[]> {
  try {
    const results = await sendBatch(messages.map((message) => submissionOf(accountId, message)))
    return messages.map((message, index) => attemptOf(message.id, results[index]!))
  } catch {
    return messages.map((message) => unknownOutcome(message.id))
  }
}

async function submitAll(
  db: Db,
  adapter: CarrierAdapter,
  accountId: string,
  messages: readonly Pending[]
): Promise<Attempt[]> {
  const throughput = messages[0]!.throughput
  const outcomes: Attempt[] = []
  if (throughput === null && adapter.sendBatch)
    return await submitBatch(adapter, adapter.sendBatch, accountId, messages)
  if (throughput === null) {
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(SUBMIT_CONCURRENCY, messages.length) }, async () => {
        while (next < messages.length) outcomes.push(await submit(adapter, accountId, messages[next++]!))
      })
    )
    return outcomes
  }
  const perReservation = Math.max(1, Math.floor(throughput))
  for (let start = 0; start < messages.length; start += perReservation) {
    const chunk = messages.slice(start, start + perReservation)
    const firstSlot = Date.now() + (await reserveSlots(db, chunk[0]!.sender_id, chunk.length, throughput))
    for (const [index, message] of chunk.entries()) {
      const wait = firstSlot + (index * 1000) / throughput - Date.now()
      if (wait > 0) await sleep(wait)
      outcomes.push(await submit(adapter, accountId, message))
    }
  }
  return outcomes
}

/**
 * Hands one job's messages to their carrier and records the outcomes. At-least-once: a job whose
 * worker dies is run again, and the messages it already submitted are submitted again with the same
 * idempotency key (the message id), which the adapter turns into the first submission's answer.
 * Retryable failures make the job fail so pg-boss retries it with backoff; on the last attempt they
 * fail the message with the carrier's last error. Answers how many messages wait for a retry.
 */
export async function dispatchMessages(
  dispatcher: Dispatcher,
  job: DispatchJob,
  lastAttempt: boolean
): Promise<number> {
  const pending = await pendingMessages(dispatcher.db, job)
  const bySender = new Map<string, Pending[]>()
  for (const message of pending) bySender.set(message.sender_id, [...(bySender.get(message.sender_id) ?? []), message])
  let retrying = 0
  for (const messages of bySender.values()) {
    const carrier = messages[0]!.carrier
    const adapter = dispatcher.carriers.names().includes(carrier) ? dispatcher.carriers.get(carrier) : undefined
    // A sender stored before its carrier was removed from the configuration can never send: fail now.
    const attempts = adapter
      ? await submitAll(dispatcher.db, adapter, job.accountId, messages)
      : messages.map((message) => gaveUp(message.id, `No carrier adapter is named "${carrier}"`))
    const settled = attempts.filter((attempt) => !attempt.retryable || lastAttempt).map((attempt) => attempt.outcome)
    retrying += attempts.length - settled.length
    await dispatcher.db.transaction().execute(async (tx) => {
      await recordOutcomes(tx, dispatcher.boss, job.accountId, carrier, settled)
    })
  }
  return retrying
}

function gaveUp(messageId: string, description: string): Attempt {
  return { outcome: { messageId, sent: false, error: { code: 'MSG-033', description } }, retryable: false }
}

/**
 * The last attempt of a job failed outright (not message by message): its messages that are still
 * queued end failed with MSG-033, so no message waits forever for a dispatch that will not come.
 */
export async function failUndispatched(dispatcher: Dispatcher, job: DispatchJob, reason: string): Promise<void> {
  const pending = await pendingMessages(dispatcher.db, job)
  const byCarrier = new Map<string, Pending[]>()
  for (const message of pending) byCarrier.set(message.carrier, [...(byCarrier.get(message.carrier) ?? []), message])
  for (const [carrier, messages] of byCarrier) {
    await dispatcher.db.transaction().execute(async (tx) => {
      const outcomes = messages.map((message) => gaveUp(message.id, reason).outcome)
      await recordOutcomes(tx, dispatcher.boss, job.accountId, carrier, outcomes)
    })
  }
}
