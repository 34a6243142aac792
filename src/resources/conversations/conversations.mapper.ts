import { auditStamps } from '../../shared/audit.ts'
import type { MessageShape } from '../messages/messages.schemas.ts'
import type { ConversationView } from './conversations.table.ts'
import type { ConversationShape } from './conversations.schemas.ts'

export function toConversation(row: ConversationView, lastMessage: MessageShape | undefined): ConversationShape {
  return {
    id: row.id,
    closed: row.closed_at !== null,
    ...(row.closed_at !== null ? { closedAt: row.closed_at.toISOString() } : {}),
    contact: {
      id: row.contact_id,
      ...(row.contact_first_name !== null ? { firstName: row.contact_first_name } : {}),
      ...(row.contact_last_name !== null ? { lastName: row.contact_last_name } : {}),
      ...(row.contact_email !== null ? { email: row.contact_email } : {}),
      mobile: { number: row.contact_mobile, ...(row.contact_country !== null ? { country: row.contact_country } : {}) }
    },
    phoneNumber: {
      id: row.sender_id,
      number: row.sender_number,
      ...(row.sender_country !== null ? { country: row.sender_country } : {}),
      active: row.sender_active
    },
    group: row.group_id !== null && row.group_name !== null ? { id: row.group_id, name: row.group_name } : null,
    ...(lastMessage ? { lastMessage } : {}),
    lastMessageAt: row.last_message_at.toISOString(),
    unread: row.unread,
    lock:
      row.lock_user && row.lock_expires_at
        ? { user: row.lock_user, expiresAt: row.lock_expires_at.toISOString() }
        : null,
    assignedUser: row.assigned_user,
    ...auditStamps(row)
  }
}
