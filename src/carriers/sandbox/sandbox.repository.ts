import { sql } from 'kysely'
import type { DbOrTx } from '../../db/database.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { CarrierMedia } from '../carrier.ts'
import type { SandboxDelivery, SandboxMessageRow, SandboxOutcome } from './sandbox.table.ts'
import { countRows, withTotalCount } from '../../db/count.ts'

export interface SandboxSubmission {
  idempotencyKey: string
  carrierMessageId: string
  from: string
  to: string
  text: string
  type: 'SMS' | 'MMS'
  media: CarrierMedia[]
  segments: number
  outcome: SandboxOutcome
  deliveryStatus: SandboxDelivery | null
}

export interface SandboxMessageFilter extends PageRequest {
  to?: string
}

/**
 * Records a submit attempt in one statement, so concurrent attempts with one key serialise on the
 * row: the first inserts it, every later one counts an attempt and gets the first one's carrier
 * message id and content back. A deferred submission is accepted when it is tried again.
 */
export async function recordSubmission(
  db: DbOrTx,
  accountId: string,
  submission: SandboxSubmission
): Promise<SandboxMessageRow> {
  return await db
    .insertInto('sandbox_messages')
    .values({
      account_id: accountId,
      idempotency_key: submission.idempotencyKey,
      carrier_message_id: submission.carrierMessageId,
      from_number: submission.from,
      to_number: submission.to,
      body: submission.text,
      type: submission.type,
      media: JSON.stringify(submission.media),
      segments: submission.segments,
      outcome: submission.outcome,
      delivery_status: submission.deliveryStatus
    })
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'idempotency_key']).doUpdateSet({
        attempts: sql`sandbox_messages.attempts + 1`,
        last_attempt_at: sql`now()`,
        outcome: sql`CASE WHEN sandbox_messages.outcome = 'deferred' THEN 'accepted' ELSE sandbox_messages.outcome END`
      })
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** recordSubmission for many submissions with distinct keys, in one statement; rows in no particular order. */
export async function recordSubmissions(
  db: DbOrTx,
  accountId: string,
  submissions: readonly SandboxSubmission[]
): Promise<SandboxMessageRow[]> {
  if (submissions.length === 0) return []
  const column = <T>(pick: (submission: SandboxSubmission) => T) => submissions.map(pick)
  const { rows } = await sql<SandboxMessageRow>`
    INSERT INTO sandbox_messages AS s (account_id, idempotency_key, carrier_message_id, from_number, to_number, body, type, media, segments, outcome, delivery_status)
    SELECT ${accountId}, r.idempotency_key, r.carrier_message_id, r.from_number, r.to_number, r.body, r.type, r.media::jsonb, r.segments, r.outcome, r.delivery_status
    FROM unnest(${column((s) => s.idempotencyKey)}::text[], ${column((s) => s.carrierMessageId)}::text[], ${column((s) => s.from)}::text[],
      ${column((s) => s.to)}::text[], ${column((s) => s.text)}::text[], ${column((s) => s.type)}::text[], ${column((s) => JSON.stringify(s.media))}::text[],
      ${column((s) => s.segments)}::integer[], ${column((s) => s.outcome)}::text[], ${column((s) => s.deliveryStatus)}::text[])
      AS r(idempotency_key, carrier_message_id, from_number, to_number, body, type, media, segments, outcome, delivery_status)
    ON CONFLICT (account_id, idempotency_key) DO UPDATE SET
      attempts = s.attempts + 1,
      last_attempt_at = now(),
      outcome = CASE WHEN s.outcome = 'deferred' THEN 'accepted' ELSE s.outcome END
    RETURNING s.*
  `.execute(db)
  return rows
}

export async function listSandboxMessages(
  db: DbOrTx,
  accountId: string,
  filter: SandboxMessageFilter
): Promise<Page<SandboxMessageRow>> {
  let matching = db.selectFrom('sandbox_messages').where('account_id', '=', accountId)
  if (filter.to !== undefined) matching = matching.where('to_number', '=', filter.to)
  const items = await matching
    .selectAll()
    .orderBy('first_attempt_at')
    .orderBy('carrier_message_id')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  return await withTotalCount(filter, items, () => countRows(matching))
}
