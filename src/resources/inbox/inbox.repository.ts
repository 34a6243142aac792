import { sql } from 'kysely'
import type { DbOrTx } from '../../db/database.ts'

export interface StoredEvent {
  id: string
  seq: number
  event_type: string
  payload: unknown
  created_at: Date
}

export interface SeqRange {
  from: number
  to: number
}

/** The account's events of these types whose seq lies in one of the ranges (the statements that notified), in order. */
export async function eventsInRanges(
  db: DbOrTx,
  accountId: string,
  ranges: readonly SeqRange[],
  types: readonly string[]
): Promise<StoredEvent[]> {
  if (ranges.length === 0) return []
  const { rows } = await sql<StoredEvent>`
    SELECT e.id, e.seq, e.event_type, e.payload, e.created_at
    FROM events e
    JOIN unnest(${ranges.map((range) => range.from)}::bigint[], ${ranges.map((range) => range.to)}::bigint[]) AS r(first_seq, last_seq)
      ON e.seq BETWEEN r.first_seq AND r.last_seq
    WHERE e.account_id = ${accountId} AND e.event_type = ANY(${types}::text[])
    ORDER BY e.seq
  `.execute(db)
  return rows
}

/** The account's events of these types recorded after `afterSeq`, oldest first: a reconnecting client's gap. */
export async function eventsAfter(
  db: DbOrTx,
  accountId: string,
  afterSeq: number,
  types: readonly string[],
  limit: number
): Promise<StoredEvent[]> {
  return await db
    .selectFrom('events')
    .select(['id', 'seq', 'event_type', 'payload', 'created_at'])
    .where('account_id', '=', accountId)
    .where('seq', '>', afterSeq)
    .where('event_type', 'in', types)
    .orderBy('seq')
    .limit(limit)
    .execute()
}
