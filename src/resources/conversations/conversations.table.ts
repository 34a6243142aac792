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

export type ConversationRow = Selectable<ConversationsTable>
