import type { SandboxMessageRow } from './sandbox.table.ts'
import type { SandboxMessageShape } from './sandbox.schemas.ts'

export function toSandboxMessage(row: SandboxMessageRow): SandboxMessageShape {
  return {
    id: row.carrier_message_id,
    idempotencyKey: row.idempotency_key,
    from: row.from_number,
    to: row.to_number,
    message: row.body,
    type: row.type,
    media: row.media,
    segments: row.segments,
    outcome: row.outcome,
    deliveryStatus: row.delivery_status,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at.toISOString(),
    lastAttemptAt: row.last_attempt_at.toISOString()
  }
}
