import { sql } from 'kysely'
import type { CarrierError, StatusReport } from '../../../carriers/carrier.ts'
import type { Tx } from '../../../db/database.ts'

// Statuses only move forward: queued → sent → delivered | undelivered | failed. A late or repeated
// report never moves a message back.
const rank = (column: string) =>
  sql`(CASE ${sql.ref(column)} WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'undelivered' THEN 2 WHEN 'failed' THEN 2 ELSE 0 END)`

/** Messages the carrier accepted: sent, with its id for them. Answers the ids that changed. */
export async function markSent(
  tx: Tx,
  accountId: string,
  accepted: ReadonlyArray<{ messageId: string; carrierMessageId: string }>
): Promise<string[]> {
  if (accepted.length === 0) return []
  const { rows } = await sql<{ id: string }>`
    UPDATE messages m SET status = 'sent', carrier_message_id = u.carrier_message_id, sent_at = now(), queued_at = coalesce(m.queued_at, now()), updated_at = now()
    FROM unnest(${accepted.map((outcome) => outcome.messageId)}::text[], ${accepted.map((outcome) => outcome.carrierMessageId)}::text[]) AS u(id, carrier_message_id)
    WHERE m.account_id = ${accountId} AND m.id = u.id AND m.status IN ('queued', 'scheduled')
    RETURNING m.id
  `.execute(tx)
  return rows.map((row) => row.id)
}

/** Messages the carrier refused: failed, with its error. Answers the ids that changed. */
export async function markFailed(
  tx: Tx,
  accountId: string,
  refused: ReadonlyArray<{ messageId: string; error: CarrierError }>
): Promise<string[]> {
  if (refused.length === 0) return []
  const { rows } = await sql<{ id: string }>`
    UPDATE messages m SET status = 'failed', failed_at = now(), error_code = u.code, error_description = u.description, updated_at = now()
    FROM unnest(${refused.map((outcome) => outcome.messageId)}::text[], ${refused.map((outcome) => outcome.error.code)}::text[], ${refused.map((outcome) => outcome.error.description)}::text[])
      AS u(id, code, description)
    WHERE m.account_id = ${accountId} AND m.id = u.id AND m.status IN ('queued', 'scheduled')
    RETURNING m.id
  `.execute(tx)
  return rows.map((row) => row.id)
}

/**
 * Applies carrier status reports in one statement, each moving its message forward only; within one
 * account when given. Answers what changed.
 */
export async function applyStatusReports(
  tx: Tx,
  carrier: string,
  reports: readonly StatusReport[],
  accountId?: string
): Promise<Array<{ id: string; account_id: string; status: string }>> {
  if (reports.length === 0) return []
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
  return rows
}

/** Of these carrier message ids, the ones no message of the account on this carrier has (yet). */
export async function unknownCarrierMessageIds(
  tx: Tx,
  accountId: string,
  carrier: string,
  ids: readonly string[]
): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const known = await tx
    .selectFrom('messages')
    .select('carrier_message_id')
    .where('account_id', '=', accountId)
    .where('carrier', '=', carrier)
    .where('carrier_message_id', 'in', ids)
    .execute()
  const found = new Set(known.map((row) => row.carrier_message_id))
  return new Set(ids.filter((id) => !found.has(id)))
}
