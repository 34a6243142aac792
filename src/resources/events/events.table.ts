import type { ColumnType, Generated } from 'kysely'

// Every event type Parley records, in the order the event catalogue of docs/webhooks.md lists them: Sakari's
// eleven, then Parley's own. Webhook subscriptions choose among them.
export const eventTypes = [
  'contact-created',
  'contact-updated',
  'contact-removed',
  'message-received',
  'message-sent',
  'message-status',
  'conversation-started',
  'contact-opt-out',
  'contact-opt-in',
  'list-opt-out',
  'list-opt-in',
  'conversation-closed',
  'conversation-read',
  'conversation-locked',
  'conversation-lock-extended',
  'conversation-lock-released',
  'conversation-assigned',
  'sender-status-changed'
] as const

export type EventType = (typeof eventTypes)[number]

export interface EventsTable {
  id: string
  account_id: string
  event_type: string
  payload: ColumnType<unknown, string, never>
  created_at: Generated<Date>
  /** Order of recording: within a transaction strictly increasing, unlike created_at. */
  seq: Generated<number>
}
