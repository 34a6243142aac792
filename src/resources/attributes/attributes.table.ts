import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export const DATA_TYPES = ['text', 'number', 'date', 'boolean'] as const
export type DataType = (typeof DATA_TYPES)[number]

export interface AttributeDefinitionsTable {
  id: string
  account_id: string
  type: Generated<'contacts'>
  name: string
  label: string
  data_type: DataType
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export type AttributeDefinitionRow = Selectable<AttributeDefinitionsTable>
