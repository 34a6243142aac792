import { auditStamps } from '../../shared/audit.ts'
import type { UserRow } from './users.table.ts'
import type { UserShape } from './users.schemas.ts'

export function toUser(row: UserRow, groups: UserShape['groups']): UserShape {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role,
    groups,
    notifyOnAssignment: row.notify_on_assignment,
    ...auditStamps(row)
  }
}
