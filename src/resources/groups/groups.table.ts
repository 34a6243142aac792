import type { ColumnType, Generated, Selectable } from 'kysely'
import type { ActorShape } from '../../shared/schemas.ts'
import type { SenderStatus } from '../senders/senders.table.ts'
import type { Role } from '../../shared/roles.ts'

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

export interface OfficeHoursValue {
  mode: 'off' | 'on' | 'scheduled'
  message: string
  timezone: string
  schedule: Array<{ day: Weekday; start: string; end: string }>
}

export interface GroupsTable {
  id: string
  account_id: string
  name: string
  api_code: string
  color: string | null
  call_forwarding: string | null
  is_default: Generated<boolean>
  tags: Generated<string[]>
  office_hours: ColumnType<OfficeHoursValue, string, string>
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export interface GroupUsersTable {
  account_id: string
  group_id: string
  user_id: string
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
}

export type GroupRow = Selectable<GroupsTable>

export interface GroupDetailsRow extends GroupRow {
  senders: Array<{ id: string; number: string; dialling_code: string; status: SenderStatus }>
  users: Array<{ id: string; email: string; first_name: string; last_name: string; role: Role }>
}
