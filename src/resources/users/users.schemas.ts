import { Type, type Static } from 'typebox'
import { ref, Updated } from '../../shared/schemas.ts'
import { GroupSummary } from '../groups/groups.schemas.ts'
import { ROLES } from '../../shared/roles.ts'

const RoleSchema = Type.Union(
  [Type.Literal(ROLES[0]), Type.Literal(ROLES[1]), Type.Literal(ROLES[2]), Type.Literal(ROLES[3])],
  { description: "One of Sakari's four roles" }
)

export const User = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    role: RoleSchema,
    groups: Type.Array(ref(GroupSummary), { description: 'The groups the user is a member of' }),
    notifyOnAssignment: Type.Boolean({
      description:
        'Whether the user is emailed when someone else assigns them a conversation (on by default); set with PUT …/users/{userId}/mail-preferences'
    }),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'User' }
)

export const UserRequest = Type.Object({
  email: Type.String({ format: 'email', maxLength: 254 }),
  firstName: Type.String({ maxLength: 100, default: '' }),
  lastName: Type.String({ maxLength: 100, default: '' }),
  role: RoleSchema
})

/** Absent fields stay as they are. */
export const UserUpdate = Type.Object({
  email: Type.Optional(UserRequest.properties.email),
  firstName: Type.Optional(Type.String({ maxLength: 100 })),
  lastName: Type.Optional(Type.String({ maxLength: 100 })),
  role: Type.Optional(RoleSchema)
})

/** What a user chooses to be emailed about: settable by the user themself or an Administrator. */
export const MailPreferences = Type.Object({
  notifyOnAssignment: Type.Boolean({ description: 'Email me when someone else assigns me a conversation' })
})

export const UserParams = Type.Object({
  accountId: Type.String(),
  userId: Type.String()
})

export type UserShape = Static<typeof User>
export type UserUpdateShape = Static<typeof UserUpdate>
