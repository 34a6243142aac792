import { Type } from 'typebox'
import type { EventType } from '../events/events.table.ts'

/** The outbox's events a live inbox shows; the others (contacts, imports) are for webhooks only. */
export const STREAMED_EVENTS = [
  'message-received',
  'message-sent',
  'message-status',
  'conversation-started',
  'conversation-closed',
  'conversation-read',
  'conversation-locked',
  'conversation-lock-extended',
  'conversation-lock-released',
  'conversation-assigned',
  'sender-status-changed'
] as const satisfies readonly EventType[]

/** Only Administrators hear of these: they are about the account's setup, not a group's inbox. */
export const ADMINISTRATOR_EVENTS: ReadonlySet<string> = new Set<EventType>(['sender-status-changed'])

export const InboxEventsHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ pattern: '^[0-9]{1,18}$', description: 'The id of the last event received: replay what came after' })
  )
})

/** What each `data:` line carries: the outbox row. */
export interface StreamEvent {
  seq: number
  id: string
  type: string
  createdAt: string
  payload: unknown
}
