import { setTimeout as sleep } from 'node:timers/promises'
import { carrierError } from '../../../carriers/carrier-errors.ts'
import type { CarrierAdapter, Submission, SubmitResult } from '../../../carriers/carrier.ts'
import type { Db } from '../../../db/database.ts'
import type { Deps } from '../../../deps.ts'
import type { DispatchPayload } from '../../../jobs/message-dispatch.contract.ts'
import { numberAllowed } from '../../senders/sender-numbers.ts'
import { applyHeldReports, recordOutcomes, type Outcome } from '../status/message-status.service.ts'
import { pendingMessages, reserveSlots, type Pending } from './dispatch.repository.ts'

/** An outcome, and whether trying again later may change it. */
interface Attempt {
  outcome: Outcome
  retryable: boolean
}

/** Submits in flight at once for one job of an uncapped sender. */
const SUBMIT_CONCURRENCY = 16

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
  deps: Pick<Deps, 'db' | 'queue' | 'carriers' | 'config' | 'log'>,
  job: DispatchPayload,
  lastAttempt: boolean
): Promise<number> {
  const pending = await pendingMessages(deps.db, job.accountId, job.messageIds)
  const bySender = new Map<string, Pending[]>()
  for (const message of pending) bySender.set(message.sender_id, [...(bySender.get(message.sender_id) ?? []), message])
  let retrying = 0
  for (const messages of bySender.values()) {
    const carrier = messages[0]!.carrier
    const adapter = deps.carriers.names().includes(carrier) ? deps.carriers.get(carrier) : undefined
    // A sender stored before its carrier was removed from the configuration, or before the
    // installation gave its number to another account (the carrier's "accounts"), never sends: fail now.
    const from = messages[0]!.from
    const attempts = !adapter
      ? messages.map((message) => gaveUp(message.id, `No carrier adapter is named "${carrier}"`))
      : (await numberAllowed(deps, carrier, job.accountId, from))
        ? await submitAll(deps.db, adapter, job.accountId, messages)
        : messages.map((message) =>
            gaveUp(message.id, `The carrier ${carrier} does not serve ${from} for this account`)
          )
    const settled = attempts.filter((attempt) => !attempt.retryable || lastAttempt).map((attempt) => attempt.outcome)
    retrying += attempts.length - settled.length
    await deps.db.transaction().execute(async (tx) => {
      await recordOutcomes(tx, deps.queue, job.accountId, carrier, settled)
    })
    await applyHeldReports(deps, job.accountId, carrier, settled)
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
export async function failUndispatched(
  deps: Pick<Deps, 'db' | 'queue'>,
  job: DispatchPayload,
  reason: string
): Promise<void> {
  const pending = await pendingMessages(deps.db, job.accountId, job.messageIds)
  const byCarrier = new Map<string, Pending[]>()
  for (const message of pending) byCarrier.set(message.carrier, [...(byCarrier.get(message.carrier) ?? []), message])
  for (const [carrier, messages] of byCarrier) {
    await deps.db.transaction().execute(async (tx) => {
      const outcomes = messages.map((message) => gaveUp(message.id, reason).outcome)
      await recordOutcomes(tx, deps.queue, job.accountId, carrier, outcomes)
    })
  }
}
