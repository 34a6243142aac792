import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'

export const TEMPLATE_TYPES = ['SMS', 'Web'] as const
export type TemplateType = (typeof TEMPLATE_TYPES)[number]

export interface TemplateMediaRow {
  url: string
  type?: string
  name?: string
  filename?: string
}

export interface TemplatesTable {
  id: string
  account_id: string
  name: string
  type: TemplateType
  template: string
  media: ColumnType<TemplateMediaRow[], string, string>
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export type TemplateRow = Selectable<TemplatesTable>
