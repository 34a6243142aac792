import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export interface TagShape {
  tag: string
  visible: boolean
}

export type AttributeValues = Record<string, string | number | boolean>

export interface ContactsTable {
  id: string
  account_id: string
  /** E.164. */
  mobile: string
  country: string | null
  first_name: string | null
  last_name: string | null
  email: string | null
  tags: ColumnType<TagShape[], string | undefined, string>
  attributes: ColumnType<AttributeValues, string | undefined, string>
  assigned_user_id: string | null
  opted_out_at: Date | null
  opt_in_at: Date | null
  blocked_at: Date | null
  // The import that last wrote the row: a second row with the same number in one file finds it
  // already written by the same import and is reported as a duplicate.
  last_import_id: string | null
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export interface ContactImportsTable {
  id: string
  account_id: string
  status: 'receiving' | 'queued' | 'running' | 'completed' | 'failed'
  options: ColumnType<unknown, string, never>
  bytes: Generated<number>
  /** Data rows counted when the upload was received. */
  total: Generated<number>
  submitted: Generated<number>
  inserted: Generated<number>
  updated: Generated<number>
  failed: Generated<number>
  errors: ColumnType<unknown[], string | undefined, string>
  failure: string | null
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  started_at: Date | null
  finished_at: Date | null
}

export interface ContactImportChunksTable {
  import_id: string
  seq: number
  data: Buffer
}

export type ContactRow = Selectable<ContactsTable>
export type ContactImportRow = Selectable<ContactImportsTable>

/** A contact row with what its API shape shows from other tables. */
export interface ContactView extends ContactRow {
  assigned_user: { id: string; email: string; firstName: string; lastName: string } | null
  integrations: Record<string, { id: string }> | null
}
