import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'
import type { ListFilterShape } from './lists.schemas.ts'

export interface ListsTable {
  id: string
  account_id: string
  name: string
  /** Null for a static list; the filter that defines a dynamic list's members. */
  filter: ColumnType<ListFilterShape | null, string | null, string | null>
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export interface ListMembersTable {
  list_id: string
  contact_id: string
  added_at: Generated<Date>
}

export type ListRow = Selectable<ListsTable>

export interface ListCounts {
  total: number
  valid: number
}
