import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export interface ApiCredentialsTable {
  id: string
  account_id: string
  /** Null: account-wide (acts as an Administrator); set: acts as that user. */
  user_id: string | null
  client_id: string
  secret_hash: string
  name: string
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  revoked_at: Date | null
}

export type ApiCredentialRow = Selectable<ApiCredentialsTable>
