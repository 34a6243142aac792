import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export interface SharedFilesTable {
  /** The link's secret: 32 random bytes, base64url. */
  token: string
  account_id: string
  content_type: string
  bytes: Buffer
  size: number
  expires_at: Date
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
}

export type SharedFileRow = Selectable<SharedFilesTable>
