import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export const SUBSCRIPTION_STATES = ['active', 'paused', 'disabled'] as const
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number]

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const
export type DeliveryState = (typeof DELIVERY_STATES)[number]

export interface WebhookSubscriptionsTable {
  id: string
  account_id: string
  url: string
  event_types: string[]
  secret: string
  previous_secret: string | null
  previous_secret_expires_at: Date | null
  state: Generated<SubscriptionState>
  disabled_reason: string | null
  lease_until: Date | null
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export interface WebhookDeliveriesTable {
  /** bigint: node-pg reads it as a string. */
  id: ColumnType<string, never, never>
  subscription_id: string
  event_id: string
  state: Generated<DeliveryState>
  replay: Generated<boolean>
  attempts: Generated<number>
  next_attempt_at: Generated<Date>
  last_attempt_at: Date | null
  last_status: number | null
  last_latency_ms: number | null
  last_error: string | null
  delivered_at: Date | null
  created_at: Generated<Date>
}

export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionsTable>
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>

export interface DeliveryListRow extends WebhookDeliveryRow {
  event_type: string
}

export interface DeliveryBacklog {
  pending: number
  failed: number
  oldest_pending_at: Date | null
}
