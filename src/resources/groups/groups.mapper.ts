import { auditStamps } from '../../shared/audit.ts'
import type { GroupDetailsRow } from './groups.table.ts'
import type { GroupShape } from './groups.schemas.ts'

export function toGroup(row: GroupDetailsRow): GroupShape {
  return {
    id: row.id,
    name: row.name,
    apiCode: row.api_code,
    color: row.color,
    callForwarding: row.call_forwarding,
    isDefault: row.is_default,
    tags: row.tags,
    officeHours: row.office_hours,
    senders: row.senders.map((sender) => ({
      id: sender.id,
      number: sender.number,
      diallingCode: sender.dialling_code,
      status: sender.status
    })),
    users: row.users.map((user) => ({
      id: user.id,
      email: user.email,
      firstName: user.first_name,
      lastName: user.last_name,
      role: user.role
    })),
    ...auditStamps(row)
  }
}
