import { auditStamps } from '../../shared/audit.ts'
import type { DeliveryBacklog } from './webhooks.table.ts'
import type { WebhookSubscriptionRow } from './webhooks.table.ts'
import type { WebhookBacklogShape, WebhookDeliveryShape, WebhookShape } from './webhooks.schemas.ts'
import type { DeliveryListRow } from './webhooks.table.ts'

const isoOf = (date: Date | null) => (date ? date.toISOString() : undefined)

export function toWebhook(row: WebhookSubscriptionRow): WebhookShape {
  const rotating = row.previous_secret_expires_at && row.previous_secret_expires_at > new Date()
  return {
    id: row.id,
    type: 'webhook',
    url: row.url,
    destination: row.url,
    eventTypes: row.event_types as WebhookShape['eventTypes'],
    status: row.state,
    ...(row.disabled_reason ? { disabledReason: row.disabled_reason } : {}),
    ...(rotating ? { secretRotatedUntil: row.previous_secret_expires_at!.toISOString() } : {}),
    ...auditStamps(row)
  }
}

export function toBacklog(backlog: DeliveryBacklog): WebhookBacklogShape {
  return {
    pending: backlog.pending,
    failed: backlog.failed,
    ...(backlog.oldest_pending_at ? { oldestPendingAt: backlog.oldest_pending_at.toISOString() } : {})
  }
}

export function toDelivery(row: DeliveryListRow): WebhookDeliveryShape {
  const optional = {
    nextAttemptAt: row.state === 'pending' ? isoOf(row.next_attempt_at) : undefined,
    lastAttemptAt: isoOf(row.last_attempt_at),
    lastStatus: row.last_status ?? undefined,
    lastLatencyMs: row.last_latency_ms ?? undefined,
    lastError: row.last_error ?? undefined,
    deliveredAt: isoOf(row.delivered_at)
  }
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type as WebhookDeliveryShape['eventType'],
    state: row.state,
    replay: row.replay,
    attempts: row.attempts,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    created: row.created_at.toISOString()
  }
}
