import { Type, type Static } from 'typebox'
import { nullable } from '../../lib/nullable-schema.ts'
import { ref, Updated } from '../../shared/schemas.ts'
import { SENDER_STATUSES } from '../senders/senders.table.ts'
import { ROLES } from '../../shared/roles.ts'
import { WEEKDAYS } from './groups.table.ts'

/** How a sender or a user names the group it belongs to. */
export const GroupSummary = Type.Object(
  {
    id: Type.String(),
    name: Type.String()
  },
  { $id: 'GroupSummary' }
)

const clock = (description: string) => Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', description })

export const OfficeHours = Type.Object(
  {
    mode: Type.Enum(['off', 'on', 'scheduled'], {
      description: 'off: always in office; on: always out of office; scheduled: in office during the schedule only'
    }),
    message: Type.String({ maxLength: 1600, description: 'Reply sent to an inbound message while out of office' }),
    timezone: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'IANA time zone of the schedule, e.g. America/New_York'
    }),
    schedule: Type.Array(
      Type.Object({
        day: Type.Enum(WEEKDAYS),
        start: clock('HH:MM, 24-hour clock'),
        end: clock('HH:MM, after start; 24:00 for midnight')
      }),
      { maxItems: 50, description: 'Office hours per weekday; a period across midnight is two entries' }
    )
  },
  { $id: 'OfficeHours' }
)

export const defaultOfficeHours: Static<typeof OfficeHours> = {
  mode: 'off',
  message: '',
  timezone: 'UTC',
  schedule: []
}

export const Group = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    apiCode: Type.String({ description: 'Unique in the account (case-insensitive); accepted wherever a group id is' }),
    color: Type.Union([Type.String(), Type.Null()]),
    callForwarding: Type.Union([Type.String(), Type.Null()], {
      description: "E.164 number that calls to the group's senders ring"
    }),
    isDefault: Type.Boolean(),
    tags: Type.Array(Type.String()),
    officeHours: ref(OfficeHours),
    senders: Type.Array(
      Type.Object({
        id: Type.String(),
        number: Type.String(),
        diallingCode: Type.String(),
        status: Type.Enum(SENDER_STATUSES)
      })
    ),
    users: Type.Array(
      Type.Object({
        id: Type.String(),
        email: Type.String(),
        firstName: Type.String(),
        lastName: Type.String(),
        role: Type.Enum(ROLES)
      })
    ),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Group' }
)

const groupFields = {
  name: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'Convention: the team and its sender, e.g. "Marketing (+12345678901)"'
  }),
  apiCode: Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
    description: 'Generated from the name when absent'
  }),
  color: nullable(Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: '#RRGGBB, or null' })),
  callForwarding: nullable(Type.String({ minLength: 1, maxLength: 32, description: 'E.164 number, or null for none' })),
  isDefault: Type.Boolean({ description: 'Making a group the default takes the flag from the previous default' }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 }),
  officeHours: ref(OfficeHours)
}

export const GroupRequest = Type.Object({
  name: groupFields.name,
  apiCode: Type.Optional(groupFields.apiCode),
  color: Type.Optional(groupFields.color),
  callForwarding: Type.Optional(groupFields.callForwarding),
  isDefault: Type.Optional(groupFields.isDefault),
  tags: Type.Optional(groupFields.tags),
  officeHours: Type.Optional(groupFields.officeHours)
})

/** Absent fields stay as they are. */
export const GroupUpdate = Type.Partial(Type.Object(groupFields))

export const GroupParams = Type.Object({
  accountId: Type.String(),
  groupId: Type.String({ description: 'Group id or API code' })
})

export const GroupUserParams = Type.Object({ ...GroupParams.properties, userId: Type.String() })
export const GroupSenderParams = Type.Object({ ...GroupParams.properties, senderId: Type.String() })

export type GroupRequestShape = Static<typeof GroupRequest>
export type GroupUpdateShape = Static<typeof GroupUpdate>
export type GroupShape = Static<typeof Group>
