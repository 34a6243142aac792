import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export interface ConversationsTable {
  id: string
  account_id: string
  contact_id: string
  sender_id: string
  group_id: string | null
  closed_at: Date | null
  last_message_at: Generated<Date>
  last_inbound_at: Date | null
  /** Who is replying; the lock counts only while lock_expires_at is in the future. */
  lock_user_id: Generated<string | null>
  lock_expires_at: Generated<Date | null>
  lock_taken_at: Generated<Date | null>
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export interface ConversationReadsTable {
  conversation_id: string
  user_id: string
  read_at: Date
}

export interface AwayRepliesTable {
  conversation_id: string
  period: string
  created_at: Generated<Date>
}

export type ConversationRow = Selectable<ConversationsTable>

export interface UserName {
  id: string
  firstName: string
  lastName: string
}

export interface ConversationView extends ConversationRow {
  contact_first_name: string | null
  contact_last_name: string | null
  contact_email: string | null
  contact_mobile: string
  contact_country: string | null
  sender_number: string
  sender_country: string | null
  sender_active: boolean
  group_name: string | null
  last_message_id: string | null
  unread: string[]
  /** The holder of a lock that has not lapsed. */
  lock_user: UserName | null
  assigned_user: (UserName & { email: string }) | null
}
