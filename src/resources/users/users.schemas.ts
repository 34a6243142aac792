import { Type, type Static } from 'typebox'
import { audit } from '../../shared/audit.ts'
import { ref, Updated } from '../../shared/schemas.ts'
import { ROLES, type UserRow } from './users.table.ts'

export const RoleSchema = Type.Union([
  Type.Literal(ROLES[0]), Type.Literal(ROLES[1]), Type.Literal(ROLES[2]), Type.Literal(ROLES[3])
], { description: "One of Sakari's four roles" })

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  role: RoleSchema,
  created: ref(Updated),
  updated: ref(Updated)
}, { $id: 'User' })

export const UserRequest = Type.Object({
  email: Type.String({ format: 'email', maxLength: 254 }),
  firstName: Type.String({ maxLength: 100, default: '' }),
  lastName: Type.String({ maxLength: 100, default: '' }),
  role: RoleSchema
})

export type UserShape = Static<typeof User>

export function toUser (row: UserRow): UserShape {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role,
    created: audit(row.created_at, row.created_by),
    updated: audit(row.updated_at, row.updated_by)
  }
}
