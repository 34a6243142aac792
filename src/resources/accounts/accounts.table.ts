import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export interface AccountsTable {
  id: string
  name: string
  /** Null: the instance default, PARLEY_HELP_TEXT. */
  help_text: ColumnType<string | null, string | null | undefined, string | null>
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export interface InstanceSettingsTable {
  key: string
  value: string
}

export type AccountRow = Selectable<AccountsTable>
