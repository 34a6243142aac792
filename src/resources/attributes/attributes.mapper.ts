import { auditStamps } from '../../shared/audit.ts'
import type { AttributeDefinitionRow } from './attributes.table.ts'
import type { AttributeShape } from './attributes.schemas.ts'

export function toAttribute(row: AttributeDefinitionRow): AttributeShape {
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    type: row.type,
    dataType: row.data_type,
    ...auditStamps(row)
  }
}
