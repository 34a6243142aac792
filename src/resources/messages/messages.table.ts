import type { ColumnType, Generated, Selectable } from 'kysely'
import type { Encoding } from '../../lib/segments.ts'
import type { ActorShape } from '../../shared/schemas.ts'

export const MESSAGE_STATUSES = [
  'scheduled',
  'queued',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'received'
] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

export type MessageType = 'SMS' | 'MMS'

export interface MessageMedia {
  url: string
  type?: string
  name?: string
  filename?: string
}

export interface MessagesTable {
  id: string
  account_id: string
  conversation_id: string
  contact_id: string
  sender_id: string
  group_id: string | null
  job_id: string | null
  /** The acting user who sent it; null for API clients, the system and inbound messages. */
  user_id: string | null
  outgoing: boolean
  status: MessageStatus
  type: MessageType
  body: string
  template: string | null
  media: ColumnType<MessageMedia[], string, string>
  segments: number
  encoding: Encoding
  /** numeric: pg answers a string. */
  price: ColumnType<string, number, number>
  send_at: Date | null
  queued_at: Date | null
  sent_at: Date | null
  delivered_at: Date | null
  failed_at: Date | null
  received_at: Date | null
  error_code: string | null
  error_description: string | null
  carrier: string
  carrier_message_id: string | null
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
}

export type SendJobStatus = 'expanding' | 'completed' | 'failed'

export interface SendJobsTable {
  id: string
  account_id: string
  group_id: string | null
  status: SendJobStatus
  requested: Generated<number>
  valid: Generated<number>
  invalid: Generated<number>
  estimated_price: ColumnType<string, number | undefined, number>
  request: ColumnType<unknown, string, never>
  cursor: string | null
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
}

export interface IdempotencyKeysTable {
  account_id: string
  /** Who used the key: the credential's id, then the acting user's id after a space when acting as a user. */
  caller: string
  key: string
  request_hash: string
  status_code: number | null
  response: ColumnType<unknown, string | null, string>
  created_at: Generated<Date>
}

export interface SenderThrottlesTable {
  sender_id: string
  next_slot: Generated<Date>
}

export type MessageRow = Selectable<MessagesTable>
export type SendJobRow = Selectable<SendJobsTable>
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>

/** A message with what its API shape shows from the contact, sender, group and conversation. */
export interface MessageView extends MessageRow {
  sender_number: string
  group_name: string | null
  contact_first_name: string | null
  contact_last_name: string | null
  contact_email: string | null
  contact_mobile: string
  contact_country: string | null
  contact_integrations: Record<string, { id: string }> | null
  conversation_closed: boolean
  read: boolean
}
