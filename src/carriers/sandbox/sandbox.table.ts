import type { ColumnType, Generated, Selectable } from 'kysely'
import type { CarrierMedia } from '../carrier.ts'

/** accepted: taken for delivery; rejected: failed for good at submit; deferred: failed once, to be retried. */
export type SandboxOutcome = 'accepted' | 'rejected' | 'deferred'
export type SandboxDelivery = 'delivered' | 'undelivered'

export interface SandboxMessagesTable {
  account_id: string
  idempotency_key: string
  carrier_message_id: string
  from_number: string
  to_number: string
  body: string
  type: 'SMS' | 'MMS'
  media: ColumnType<CarrierMedia[], string, never>
  segments: number
  outcome: SandboxOutcome
  /** What the sandbox reports once it accepts the message; null for a rejected one. */
  delivery_status: SandboxDelivery | null
  attempts: Generated<number>
  first_attempt_at: Generated<Date>
  last_attempt_at: Generated<Date>
}

export type SandboxMessageRow = Selectable<SandboxMessagesTable>
