import { auditStamps } from '../../shared/audit.ts'
import type { ListCounts, ListRow } from './lists.table.ts'
import type { ListShape } from './lists.schemas.ts'

export function toList(row: ListRow, counts: ListCounts): ListShape {
  return {
    id: row.id,
    name: row.name,
    type: row.filter === null ? 'static' : 'dynamic',
    filter: row.filter,
    counts,
    ...auditStamps(row)
  }
}
