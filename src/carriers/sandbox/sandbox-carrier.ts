import { Value } from 'typebox/value'
import type { Db } from '../../db/database.ts'
import { countSegments } from '../../lib/segments.ts'
import { newId } from '../../shared/ids.ts'
import { carrierError } from '../carrier-errors.ts'
import type {
  CarrierAdapter,
  CarrierCallback,
  CarrierEvent,
  ScheduledReport,
  Submission,
  SubmitResult
} from '../carrier.ts'
import { recordSubmission, recordSubmissions, type SandboxSubmission } from './sandbox.repository.ts'
import { SandboxInbound } from './sandbox.schemas.ts'
import type { SandboxDelivery, SandboxMessageRow, SandboxOutcome } from './sandbox.table.ts'

export const SANDBOX = 'sandbox'

export interface SandboxOptions {
  db: Db
  /** Time between the `sent` and the final report. */
  deliveryDelayMs: number
}

interface Behaviour {
  outcome: SandboxOutcome
  deliveryStatus: SandboxDelivery | null
}

/**
 * Test numbers, by the last four digits of the destination (documented in docs/carriers/sandbox.md):
 * 0001 is accepted and then reported undelivered; 0002 is refused at submit for good;
 * 0003 fails with a retryable error on the first attempt and is accepted on the next.
 * Every other number is accepted and reported delivered.
 */
function sandboxBehaviour(to: string): Behaviour {
  if (to.endsWith('0001')) return { outcome: 'accepted', deliveryStatus: 'undelivered' }
  if (to.endsWith('0002')) return { outcome: 'rejected', deliveryStatus: null }
  if (to.endsWith('0003')) return { outcome: 'deferred', deliveryStatus: 'delivered' }
  return { outcome: 'accepted', deliveryStatus: 'delivered' }
}

function reportsFor(
  carrierMessageId: string,
  deliveryStatus: SandboxDelivery,
  deliveryDelayMs: number
): ScheduledReport[] {
  const final: ScheduledReport =
    deliveryStatus === 'delivered'
      ? { carrierMessageId, status: 'delivered', delayMs: deliveryDelayMs }
      : { carrierMessageId, status: 'undelivered', delayMs: deliveryDelayMs, error: carrierError('MSG-019') }
  return [{ carrierMessageId, status: 'sent', delayMs: 0 }, final]
}

/**
 * A carrier that needs no account: it records what it is asked to send (once per idempotency key,
 * so a retried submit answers the first carrier message id) and reports delivery itself.
 */
export function createSandboxCarrier({ db, deliveryDelayMs }: SandboxOptions): CarrierAdapter {
  function recorded(submission: Submission): SandboxSubmission {
    const behaviour = sandboxBehaviour(submission.to)
    return {
      ...submission,
      carrierMessageId: `SB${newId()}`,
      segments: countSegments(submission.text).segments,
      outcome: behaviour.outcome,
      deliveryStatus: behaviour.deliveryStatus
    }
  }

  function resultOf(row: SandboxMessageRow): SubmitResult {
    if (row.outcome === 'rejected') return { ok: false, failure: 'permanent', error: carrierError('MSG-023') }
    if (row.outcome === 'deferred') return { ok: false, failure: 'retryable', error: carrierError('MSG-033') }
    return {
      ok: true,
      carrierMessageId: row.carrier_message_id,
      reports: reportsFor(row.carrier_message_id, row.delivery_status!, deliveryDelayMs)
    }
  }

  async function send(submission: Submission): Promise<SubmitResult> {
    return resultOf(await recordSubmission(db, submission.accountId, recorded(submission)))
  }

  // One statement per account for the whole batch.
  async function sendBatch(submissions: readonly Submission[]): Promise<SubmitResult[]> {
    const rows = new Map<string, SandboxMessageRow>()
    for (const accountId of new Set(submissions.map((submission) => submission.accountId))) {
      const mine = submissions.filter((submission) => submission.accountId === accountId)
      for (const row of await recordSubmissions(db, accountId, mine.map(recorded)))
        rows.set(`${accountId}/${row.idempotency_key}`, row)
    }
    return submissions.map((submission) => resultOf(rows.get(`${submission.accountId}/${submission.idempotencyKey}`)!))
  }

  // The body of POST …/sandbox/inbound: a message as a real carrier would hand it over.
  function parseCallback(callback: CarrierCallback): CarrierEvent[] {
    const body = Value.Parse(SandboxInbound, callback.body)
    const message = {
      from: body.from,
      to: body.to,
      text: body.message,
      media: body.media ?? [],
      carrierMessageId: `SB${newId()}`,
      receivedAt: new Date()
    }
    return [{ kind: 'inbound', message }]
  }

  return { name: SANDBOX, type: SANDBOX, send, sendBatch, parseCallback }
}
