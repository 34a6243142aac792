import { sql } from 'kysely'
import type { PgBoss } from 'pg-boss'
import type { CarrierError, ScheduledReport, StatusReport } from '../../carriers/carrier.ts'
import type { Tx } from '../../db/database.ts'
import { enqueueManyInTransaction } from '../../plugins/queue.ts'
import { recordEvents, type EventType } from '../events/events.repository.ts'
import { STATUS_REPORTS_TASK } from './dispatch-queue.ts'
import { messageViews } from './messages.repository.ts'
import { toMessage } from './messages.schemas.ts'

export interface StatusReportsJob {
  carrier: string
  reports: StatusReport[]
}

/** What became of one submit. */
export type Outcome =
  | { messageId: string; sent: true; carrierMessageId: string; reports: ScheduledReport[] }
  | { messageId: string; sent: false; error: CarrierError }

// Statuses only move forward: queued → sent → delivered | undelivered | failed. A late or repeated
// report never moves a message back.
const rank = (column: string) =>
  sql`(CASE ${sql.ref(column)} WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'undelivered' THEN 2 WHEN 'failed' THEN 2 ELSE 0 END)`

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
  boss: PgBoss,
  accountId: string,
  carrier: string,
  outcomes: readonly Outcome[]
): Promise<void> {
  const sent = outcomes.filter((outcome) => outcome.sent)
  const failed = outcomes.filter((outcome) => !outcome.sent)
  const changed: Array<{ id: string; event: EventType }> = []
  if (sent.length > 0) {
    const { rows } = await sql<{ id: string }>`
      UPDATE messages m SET status = 'sent', carrier_message_id = u.carrier_message_id, sent_at = now(), queued_at = coalesce(m.queued_at, now()), updated_at = now()
      FROM unnest(${sent.map((outcome) => outcome.messageId)}::text[], ${sent.map((outcome) => outcome.carrierMessageId)}::text[]) AS u(id, carrier_message_id)
      WHERE m.account_id = ${accountId} AND m.id = u.id AND m.status IN ('queued', 'scheduled')
      RETURNING m.id
    `.execute(tx)
    changed.push(...rows.map((row) => ({ id: row.id, event: 'message-sent' as const })))
  }
  if (failed.length > 0) {
    const { rows } = await sql<{ id: string }>`
      UPDATE messages m SET status = 'failed', failed_at = now(), error_code = u.code, error_description = u.description, updated_at = now()
      FROM unnest(${failed.map((outcome) => outcome.messageId)}::text[], ${failed.map((outcome) => outcome.error.code)}::text[], ${failed.map((outcome) => outcome.error.description)}::text[])
        AS u(id, code, description)
      WHERE m.account_id = ${accountId} AND m.id = u.id AND m.status IN ('queued', 'scheduled')
      RETURNING m.id
    `.execute(tx)
    changed.push(...rows.map((row) => ({ id: row.id, event: 'message-status' as const })))
  }
  await recordStatusEvents(tx, accountId, changed)

  const reports = sent.flatMap((outcome) => outcome.reports)
  await applyReports(
    tx,
    carrier,
    reports.filter((report) => report.delayMs <= 0)
  )
  const later = new Map<number, StatusReport[]>()
  for (const { delayMs, ...report } of reports.filter((candidate) => candidate.delayMs > 0))
    later.set(delayMs, [...(later.get(delayMs) ?? []), report])
  await enqueueManyInTransaction(
    boss,
    tx,
    STATUS_REPORTS_TASK,
    [...later.entries()].map(([delayMs, batch]) => ({
      data: { carrier, reports: batch } satisfies StatusReportsJob,
      startAfter: new Date(Date.now() + delayMs)
    }))
  )
}

/**
 * Applies carrier status reports in one statement, each moving its message forward only, with events;
 * within one account when given.
 */
export async function applyReports(
  tx: Tx,
  carrier: string,
  reports: readonly StatusReport[],
  accountId?: string
): Promise<void> {
  if (reports.length === 0) return
  const { rows } = await sql<{ id: string; account_id: string; status: string }>`
    UPDATE messages m SET
      status = u.status,
      sent_at = coalesce(m.sent_at, now()),
      delivered_at = CASE WHEN u.status = 'delivered' THEN now() ELSE m.delivered_at END,
      failed_at = CASE WHEN u.status IN ('undelivered', 'failed') THEN now() ELSE m.failed_at END,
      error_code = coalesce(u.code, m.error_code),
      error_description = coalesce(u.description, m.error_description),
      updated_at = now()
    FROM unnest(${reports.map((report) => report.carrierMessageId)}::text[], ${reports.map((report) => report.status)}::text[],
      ${reports.map((report) => report.error?.code ?? null)}::text[], ${reports.map((report) => report.error?.description ?? null)}::text[])
      AS u(carrier_message_id, status, code, description)
    WHERE m.carrier = ${carrier} AND m.carrier_message_id = u.carrier_message_id AND ${rank('m.status')} < ${rank('u.status')}
      ${accountId === undefined ? sql`` : sql`AND m.account_id = ${accountId}`}
    RETURNING m.id, m.account_id, m.status
  `.execute(tx)
  const byAccount = new Map<string, Array<{ id: string; event: EventType }>>()
  for (const row of rows)
    byAccount.set(row.account_id, [
      ...(byAccount.get(row.account_id) ?? []),
      { id: row.id, event: row.status === 'sent' ? 'message-sent' : 'message-status' }
    ])
  for (const [accountId, changed] of byAccount) await recordStatusEvents(tx, accountId, changed)
}
