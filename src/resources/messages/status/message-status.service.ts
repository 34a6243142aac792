import type { CarrierError, ScheduledReport, StatusReport } from '../../../carriers/carrier.ts'
import type { Tx } from '../../../db/database.ts'
import { enqueueStatusReports } from '../../../jobs/message-status-reports.contract.ts'
import type { Queue } from '../../../db/job-queue.ts'
import type { Deps } from '../../../deps.ts'
import { heldReports } from './held-reports.ts'
import { recordEvents } from '../../events/events.repository.ts'
import type { EventType } from '../../events/events.table.ts'
import { messageViews } from '../messages.repository.ts'
import { toMessage } from '../messages.mapper.ts'
import { applyStatusReports, markFailed, markSent } from './status.repository.ts'

/** What became of one submit. */
export type Outcome =
  | { messageId: string; sent: true; carrierMessageId: string; reports: ScheduledReport[] }
  | { messageId: string; sent: false; error: CarrierError }

async function recordStatusEvents(
  tx: Tx,
  accountId: string,
  changed: ReadonlyArray<{ id: string; event: EventType }>
): Promise<void> {
  if (changed.length === 0) return
  const eventOf = new Map(changed.map((row) => [row.id, row.event]))
  const views = await messageViews(
    tx,
    accountId,
    changed.map((row) => row.id)
  )
  await recordEvents(
    tx,
    accountId,
    views.map((view) => ({ type: eventOf.get(view.id)!, payload: toMessage(view) }))
  )
}

/**
 * Records what the carrier said to the submits of one dispatch job: accepted messages become sent
 * (message-sent), refused ones failed (message-status). Reports the carrier will make later are
 * scheduled as jobs (pg-boss startAfter), so they survive a restart.
 */
export async function recordOutcomes(
  tx: Tx,
  queue: Queue,
  accountId: string,
  carrier: string,
  outcomes: readonly Outcome[]
): Promise<void> {
  const sent = outcomes.flatMap((outcome) => (outcome.sent ? [outcome] : []))
  const failed = outcomes.flatMap((outcome) => (outcome.sent ? [] : [outcome]))
  const changed: Array<{ id: string; event: EventType }> = [
    ...(await markSent(tx, accountId, sent)).map((id) => ({ id, event: 'message-sent' as const })),
    ...(await markFailed(tx, accountId, failed)).map((id) => ({ id, event: 'message-status' as const }))
  ]
  await recordStatusEvents(tx, accountId, changed)

  const reports = sent.flatMap((outcome) => outcome.reports)
  await applyReports(
    tx,
    carrier,
    reports.filter((report) => report.delayMs <= 0),
    accountId
  )
  const later = new Map<number, StatusReport[]>()
  for (const { delayMs, ...report } of reports.filter((candidate) => candidate.delayMs > 0))
    later.set(delayMs, [...(later.get(delayMs) ?? []), report])
  await enqueueStatusReports(
    tx,
    queue,
    [...later.entries()].map(([delayMs, batch]) => ({
      payload: { carrier, accountId, reports: batch },
      startAfter: new Date(Date.now() + delayMs)
    }))
  )
}

/** Applies carrier status reports, each moving its message forward only, with events; within one account when given. */
export async function applyReports(
  tx: Tx,
  carrier: string,
  reports: readonly StatusReport[],
  accountId?: string
): Promise<void> {
  const rows = await applyStatusReports(tx, carrier, reports, accountId)
  const byAccount = new Map<string, Array<{ id: string; event: EventType }>>()
  for (const row of rows)
    byAccount.set(row.account_id, [
      ...(byAccount.get(row.account_id) ?? []),
      { id: row.id, event: row.status === 'sent' ? 'message-sent' : 'message-status' }
    ])
  for (const [accountId, changed] of byAccount) await recordStatusEvents(tx, accountId, changed)
}

/**
 * A connection carrier (SMPP) can report on a message before dispatch has recorded the carrier id
 * its send answered, as the receipt may arrive before the send's transaction commits: such reports
 * are kept as a job applied a moment later, retried with backoff until the id is recorded (docs/carriers/overview.md,
 * "Carrier adapters"). The dispatch that records the id in this process applies the report sooner
 * (applyHeldReports); the job is what makes it safe.
 */
export async function keepReports(
  tx: Tx,
  queue: Queue,
  accountId: string,
  carrier: string,
  unmatched: readonly StatusReport[]
): Promise<void> {
  if (unmatched.length > 0)
    await enqueueStatusReports(tx, queue, [
      {
        payload: { carrier, accountId, reports: unmatched.map(({ sender: _sender, ...report }) => report) },
        startAfter: new Date(Date.now() + 1000)
      }
    ])
}

/**
 * Once the transaction that recorded these outcomes has committed: the reports that arrived before
 * it, held in this process (HeldReports), applied at once rather than by their kept jobs a second or
 * more later. With an SMSC that sends each receipt right after its submit_sm_resp, nearly every
 * receipt of a dispatch job arrives before the job records its ids, and this took the last of 2,000
 * messages from 64-76 s to delivered down to a few seconds after the last submit (bench smpp --peer).
 * A failure here loses nothing (the kept jobs still apply the reports), so it is logged, not thrown:
 * a failed dispatch job would be retried, and submitting again is what must not happen needlessly.
 */
export async function applyHeldReports(
  deps: Pick<Deps, 'db' | 'carriers' | 'log'>,
  accountId: string,
  carrier: string,
  outcomes: readonly Outcome[]
): Promise<void> {
  const recorded = outcomes.flatMap((outcome) => (outcome.sent ? [outcome.carrierMessageId] : []))
  const reports = heldReports(deps.carriers).take(carrier, accountId, recorded)
  if (reports.length === 0) return
  try {
    await deps.db.transaction().execute((tx) => applyReports(tx, carrier, reports, accountId))
  } catch (error) {
    deps.log.warn({ err: error, carrier, reports: reports.length }, 'held status reports wait for their kept jobs')
  }
}
