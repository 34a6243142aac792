import { sql } from 'kysely'
import type { Tx } from '../../db/database.ts'
import { contactViewColumns } from '../contacts/contacts.repository.ts'
import type { ContactView } from '../contacts/contacts.table.ts'

export interface KnownContact {
  contact: ContactView
  /** The contact's open conversation with the sender, which this call has touched; null when none is open. */
  openConversationId: string | null
}

export interface InboundPair {
  mobile: string
  senderId: string
}

/**
 * The usual case of inbound messages in one statement, however many: for each (number, sender)
 * pair, the contact with the number and its open conversation with the sender, which takes the
 * message (as openConversations would, without a savepoint or a reopen attempt). Answers by pair
 * index; a number that is no contact yet has no entry. Two statements cost a round trip more.
 * Each row is looked up by key (LIMIT 1 keeps the lateral lookup a lookup, ARRAY() the update by
 * id): joined, the prepared plan scanned the account's contacts and its open conversations.
 */
export async function findKnownContacts(
  tx: Tx,
  accountId: string,
  pairs: readonly InboundPair[]
): Promise<Map<number, KnownContact>> {
  const { rows } = await sql<
    ContactView & { pair: string; pair_sender_id: string; open_conversation_id: string | null }
  >`/* prepared inbound_known_contacts */
    WITH found AS (
      SELECT r.pair, r.sender_id AS pair_sender_id, c.*
      FROM unnest(${pairs.map((pair) => pair.mobile)}::text[], ${pairs.map((pair) => pair.senderId)}::text[]) WITH ORDINALITY AS r(mobile, sender_id, pair)
      CROSS JOIN LATERAL (
        SELECT ${contactViewColumns}
        FROM contacts c WHERE c.account_id = ${accountId} AND c.mobile = r.mobile LIMIT 1
      ) c
    ), touched AS (
      UPDATE conversations SET last_message_at = now(), last_inbound_at = now()
      WHERE closed_at IS NULL AND id = ANY (ARRAY(
        SELECT (
          SELECT o.id FROM conversations o
          WHERE o.account_id = ${accountId} AND o.contact_id = found.id AND o.sender_id = found.pair_sender_id AND o.closed_at IS NULL
        ) FROM found
      ))
      RETURNING id, contact_id, sender_id
    )
    SELECT found.*, touched.id AS open_conversation_id
    FROM found LEFT JOIN touched ON touched.contact_id = found.id AND touched.sender_id = found.pair_sender_id
  `.execute(tx)
  return new Map(
    rows.map(({ pair, pair_sender_id: _, open_conversation_id: openConversationId, ...contact }) => [
      Number(pair) - 1,
      { contact, openConversationId }
    ])
  )
}

export interface CarrierKey {
  carrier: string
  carrierMessageId: string
}

/**
 * Of these carrier messages, the ones already stored (whatever the account: a carrier's message id
 * is unique across the installation, messages_carrier_message_key), by `carrier\nid`.
 */
export async function storedCarrierMessages(
  tx: Tx,
  keys: readonly CarrierKey[]
): Promise<Map<string, { id: string; accountId: string }>> {
  const { rows } = await sql<{ id: string; account_id: string; carrier: string; carrier_message_id: string }>`
    SELECT m.id, m.account_id, m.carrier, m.carrier_message_id
    FROM unnest(${keys.map((key) => key.carrier)}::text[], ${keys.map((key) => key.carrierMessageId)}::text[]) AS k(carrier, id)
    JOIN messages m ON m.carrier = k.carrier AND m.carrier_message_id = k.id AND m.carrier_message_id IS NOT NULL
  `.execute(tx)
  return new Map(
    rows.map((row) => [
      carrierKeyOf({ carrier: row.carrier, carrierMessageId: row.carrier_message_id }),
      { id: row.id, accountId: row.account_id }
    ])
  )
}

export const carrierKeyOf = (key: CarrierKey) => `${key.carrier}\n${key.carrierMessageId}`
