import { sql } from 'kysely'
import type { Tx } from '../../db/database.ts'
import { newId } from '../../shared/ids.ts'
import type { EventType } from './events.table.ts'

export interface DomainEvent {
  type: EventType
  payload: unknown
}

/**
 * Writes domain events in the caller's transaction (an outbox): an event exists if and only if the
 * change it reports was committed. Delivery shape is `{accountId, eventType, payload}`.
 */
export async function recordEvents(tx: Tx, accountId: string, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return
  // One statement and one JSON parameter per batch however large: node-pg would escape every
  // payload again as an array element, and that was the import's costliest JavaScript.
  const rows = events.map((event) => ({ id: newId(), event_type: event.type, payload: event.payload }))
  await sql`/* prepared insert_events */
    INSERT INTO events (id, account_id, event_type, payload)
    SELECT e.id, ${accountId}, e.event_type, e.payload
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS e(id text, event_type text, payload jsonb)
  `.execute(tx)
}

export async function recordEvent(tx: Tx, accountId: string, type: EventType, payload: unknown): Promise<void> {
  await recordEvents(tx, accountId, [{ type, payload }])
}
