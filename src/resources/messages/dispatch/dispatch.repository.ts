import { sql } from 'kysely'
import type { DbOrTx } from '../../../db/database.ts'
import type { MessageMedia, MessageType } from '../messages.table.ts'

/** A message waiting for its carrier, with what the submit needs. */
export interface Pending {
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

/** The job's messages that still wait for their carrier (queued or scheduled), in id order. */
export async function pendingMessages(
  db: DbOrTx,
  accountId: string,
  messageIds: readonly string[]
): Promise<Pending[]> {
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
export async function reserveSlots(db: DbOrTx, senderId: string, count: number, throughput: number): Promise<number> {
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
