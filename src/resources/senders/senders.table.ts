import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'
import type { SenderType } from '../../shared/sender-types.ts'

export const SENDER_STATUSES = ['unverified', 'verified', 'pending', 'active', 'rejected'] as const
export type SenderStatus = (typeof SENDER_STATUSES)[number]

export const CAPABILITIES = ['SMS', 'MMS'] as const
export type Capability = (typeof CAPABILITIES)[number]

export interface SendersTable {
  id: string
  account_id: string
  number: string
  country: string | null
  dialling_code: string
  type: SenderType
  capabilities: Capability[]
  carrier: Generated<string>
  /** Messages per second; null means uncapped. */
  throughput: number | null
  status: SenderStatus
  group_id: string | null
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
  deleted_at: Date | null
}

export type SenderRow = Selectable<SendersTable>

export interface SenderDetailsRow extends SenderRow {
  group_name: string | null
}
