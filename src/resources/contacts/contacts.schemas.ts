import { Type, type Static } from 'typebox'
import { AccountParams, Pagination, paginationQuery, ref, Updated } from '../../shared/schemas.ts'

const tagFields = {
  tag: Type.String({ minLength: 1, maxLength: 100 }),
  visible: Type.Boolean({ default: true })
}

export const Tag = Type.Object(tagFields, { $id: 'Tag' })
export const TagInput = Type.Object(tagFields)

// Sakari's embedded error: {code, description}, unlike the envelope's {code, message}.
export const ContactError = Type.Object(
  {
    code: Type.String({ examples: ['CONT-010'] }),
    description: Type.String({ examples: ['Contact has requested no further communication'] })
  },
  { $id: 'ContactError' }
)

const Mobile = Type.Object({
  number: Type.String({ description: 'E.164', examples: ['+12345678901'] }),
  country: Type.Optional(Type.String({ description: 'ISO 3166 alpha-2', examples: ['US'] }))
})

const AssignedUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  firstName: Type.String(),
  lastName: Type.String()
})

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const Contact = Type.Object(
  {
    id: Type.String(),
    firstName: Type.Optional(Type.String()),
    lastName: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    mobile: Mobile,
    tags: Type.Array(ref(Tag)),
    attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
      description: 'Custom attribute values keyed by attribute name'
    }),
    valid: Type.Boolean({ description: 'False while the contact is opted out or blocked' }),
    error: Type.Optional(ref(ContactError)),
    optIn: Type.Optional(Type.String({ format: 'date-time', description: 'When the contact last opted in' })),
    blocked: Type.Optional(
      Type.String({ format: 'date-time', description: 'Set while the contact is opted out or blocked: since when' })
    ),
    optedOut: Type.Optional(
      Type.String({ format: 'date-time', description: 'Set while the contact is opted out (STOP): since when' })
    ),
    assignedUser: nullable(AssignedUser),
    integrations: Type.Record(Type.String(), Type.Object({ id: Type.String() }), {
      description: 'Links to integration records, by integration name'
    }),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Contact' }
)

const ContactFields = {
  id: Type.Optional(Type.String({ description: 'Ignored on create; contacts are matched by mobile number' })),
  firstName: Type.Optional(Type.String({ maxLength: 200 })),
  lastName: Type.Optional(Type.String({ maxLength: 200 })),
  email: Type.Optional(Type.String({ maxLength: 254, pattern: '^$|^[^@\\s]+@[^@\\s]+$' })),
  tags: Type.Optional(Type.Array(TagInput, { maxItems: 100 })),
  attributes: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: 'Values of defined custom attributes, by name' })
  ),
  assignedUser: Type.Optional(
    nullable(
      Type.Object(
        {
          id: Type.Optional(Type.String()),
          email: Type.Optional(Type.String())
        },
        { description: 'The user the contact is assigned to, by id or email' }
      )
    )
  )
}

export const ContactRequest = Type.Object({
  ...ContactFields,
  mobile: Type.Object({ number: Type.String({ minLength: 1, maxLength: 40 }), country: Type.Optional(Type.String()) })
})

export const ContactUpdateRequest = Type.Object({
  ...ContactFields,
  mobile: Type.Optional(
    Type.Object({ number: Type.String({ minLength: 1, maxLength: 40 }), country: Type.Optional(Type.String()) })
  )
})

export const MERGE_STRATEGIES = ['append', 'core', 'remove'] as const
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number]

export const MergeStrategyQuery = Type.Enum(MERGE_STRATEGIES, {
  default: 'append',
  description:
    'What happens when the mobile number exists: append (default) overwrites the fields given and adds tags and attributes; core updates only firstName, lastName, email and country; remove replaces the contact with what was sent'
})

export const ContactParams = Type.Object({ ...AccountParams.properties, contactId: Type.String() })

export const ContactsQuery = Type.Object({
  ...paginationQuery,
  firstName: Type.Optional(Type.String({ description: 'Filter by first name or part of (case-insensitive)' })),
  lastName: Type.Optional(Type.String({ description: 'Filter by last name or part of (case-insensitive)' })),
  email: Type.Optional(Type.String({ description: 'Filter by email or part of (case-insensitive)' })),
  mobile: Type.Optional(Type.String({ description: 'Filter by mobile or part of' })),
  tags: Type.Optional(Type.String({ description: 'Comma-separated tags; a contact must carry all of them' })),
  optedOut: Type.Optional(Type.Boolean({ description: 'Only opted-out (true) or not opted-out (false) contacts' })),
  blocked: Type.Optional(
    Type.Boolean({ description: 'Only contacts that are opted out or blocked (true), or neither (false)' })
  ),
  assignedUserId: Type.Optional(Type.String({ description: 'Only contacts assigned to this user' }))
})

export const ContactsResponse = Type.Object(
  { success: Type.Literal(true), data: Type.Array(ref(Contact)), pagination: ref(Pagination) },
  { $id: 'ContactsResponse' }
)

export type ContactShape = Static<typeof Contact>
export type ContactRequestShape = Static<typeof ContactRequest>
export type ContactUpdateShape = Static<typeof ContactUpdateRequest>
export type ContactsQueryShape = Static<typeof ContactsQuery>

export const optedOutError = { code: 'CONT-010', description: 'Contact has requested no further communication' }

// Role policy (route config): every role reads contacts; these write them.
export const CONTACT_WRITERS = ['Administrator', 'Campaign Manager', 'Sender'] as const
/** Bulk changes: imports, attribute definitions, integration sync. */
export const CONTACT_IMPORTERS = ['Administrator', 'Campaign Manager'] as const
