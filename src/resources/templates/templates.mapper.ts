import { auditStamps } from '../../shared/audit.ts'
import type { TemplateRow } from './templates.table.ts'
import type { TemplateShape } from './templates.schemas.ts'

export function toTemplate(row: TemplateRow): TemplateShape {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    template: row.template,
    media: row.media,
    ...auditStamps(row)
  }
}
