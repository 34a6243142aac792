import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export interface SharedFilesTable {
  /** The link's secret: 32 random bytes, base64url. */
  token: string
  account_id: string
  content_type: string
  /** Read in slices by downloads (stored uncompressed out of line, so a slice reads only its part). */
  bytes: Buffer
  size: number
  /** What the bytes were recognised as (png, mp4, vcf …), for the download's filename. */
  extension: Generated<string>
  expires_at: Date
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
}

/** A shared file without its bytes, which downloads stream slice by slice. */
export type SharedFileRow = Omit<Selectable<SharedFilesTable>, 'bytes'>
