import type { ColumnType, Generated, Selectable } from 'kysely'
import type { Role } from '../../shared/roles.ts'
import type { ActorShape } from '../../shared/schemas.ts'

export interface UsersTable {
  id: string
  account_id: string
  email: string
  first_name: string
  last_name: string
  role: Role
  /** Mail when someone else assigns them a conversation (src/resources/mail/templates/conversation-assigned.ts). */
  notify_on_assignment: Generated<boolean>
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
  // Users are soft-deleted so the history of what they sent keeps their name.
  deleted_at: Date | null
}

export type UserRow = Selectable<UsersTable>
