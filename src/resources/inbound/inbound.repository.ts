import { sql } from 'kysely'
import type { Tx } from '../../db/database.ts'
import { assignedUser, contactColumns, integrations, type ContactView } from '../contacts/contacts.repository.ts'

export interface KnownContact {
  contact: ContactView
  /** The contact's open conversation with the sender, which this call has touched; null when none is open. */
  openConversationId: string | null
}

/**
 * An inbound message's usual case in one statement: the contact with the number, and its open
 * conversation with the sender, which takes the message (as openConversations would, without a
 * savepoint or a reopen attempt). Undefined when the number is no contact yet. Two statements
 * cost a round trip more per inbound message.
 */
export async function findKnownContact(
  tx: Tx,
  accountId: string,
  mobile: string,
  senderId: string
): Promise<KnownContact | undefined> {
  const { rows } = await sql<ContactView & { open_conversation_id: string | null }>`/* prepared inbound_known_contact */
    WITH found AS (
      SELECT ${contactColumns}, ${assignedUser} AS assigned_user, ${integrations} AS integrations
      FROM contacts c WHERE c.account_id = ${accountId} AND c.mobile = ${mobile}
    ), touched AS (
      UPDATE conversations SET last_message_at = now(), last_inbound_at = now()
      WHERE account_id = ${accountId} AND contact_id = (SELECT id FROM found) AND sender_id = ${senderId} AND closed_at IS NULL
      RETURNING id
    )
    SELECT found.*, (SELECT id FROM touched) AS open_conversation_id FROM found
  `.execute(tx)
  if (rows.length === 0) return undefined
  const { open_conversation_id: openConversationId, ...contact } = rows[0]!
  return { contact, openConversationId }
}
