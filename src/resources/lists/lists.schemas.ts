import { Type, type Static } from 'typebox'
import { paginationQuery, ref, Updated } from '../../shared/schemas.ts'
import { AttributeFilter } from '../messages/messages.schemas.ts'

// additionalProperties: false drops (never rejects) unknown keys, so a stored filter holds only these.
export const ListFilter = Type.Object(
  {
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Part of the first or last name, email or mobile' })
    ),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { maxItems: 50, description: 'Carrying all these tags' })
    ),
    attributes: Type.Optional(Type.Array(AttributeFilter, { maxItems: 50 })),
    valid: Type.Optional(
      Type.Boolean({ description: 'true: only contacts that can be messaged; false: only opted-out or blocked ones' })
    ),
    blocked: Type.Optional(
      Type.Boolean({ description: 'true: only opted-out or blocked contacts (the opposite of valid)' })
    )
  },
  { $id: 'ListFilter', additionalProperties: false }
)

const name = Type.String({ minLength: 1, maxLength: 200, examples: ['VIP customers'] })

export const List = Type.Object(
  {
    id: Type.String(),
    name,
    type: Type.Enum(['static', 'dynamic'], {
      description: 'static: members added by contact id; dynamic: the contacts its filter matches, at the time of use'
    }),
    filter: Type.Union([ref(ListFilter), Type.Null()]),
    counts: Type.Object({
      total: Type.Integer({ description: 'Members (contacts matching, for a dynamic list)' }),
      valid: Type.Integer({ description: 'Members who can be messaged (not opted out or blocked)' })
    }),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'List' }
)

export const ListRequest = Type.Object({
  name,
  filter: Type.Optional(ref(ListFilter)),
  contacts: Type.Optional(
    Type.Array(Type.String(), { maxItems: 1000, description: 'Contact ids of a static list (not with filter)' })
  )
})

export const ListUpdate = Type.Object({
  name: Type.Optional(name),
  filter: Type.Optional(ref(ListFilter))
})

export const ListMembersRequest = Type.Object({
  contacts: Type.Array(Type.String(), { minItems: 1, maxItems: 1000, description: 'Contact ids to add' })
})

export const ListParams = Type.Object({
  accountId: Type.String(),
  listId: Type.String({ description: 'List id' })
})

export const ListMemberParams = Type.Object({
  accountId: Type.String(),
  listId: Type.String({ description: 'List id' }),
  contactId: Type.String({ description: 'Contact id' })
})

export const ListsQuery = Type.Object({
  ...paginationQuery,
  name: Type.Optional(Type.String({ maxLength: 200, description: 'Filter by name or part of it, ignoring case' }))
})

export const ListMembersQuery = Type.Object({ ...paginationQuery })

export const MemberChange = Type.Object({
  added: Type.Integer({ description: 'Contacts that were not members before' }),
  counts: Type.Object({ total: Type.Integer(), valid: Type.Integer() })
})

export type ListFilterShape = Static<typeof ListFilter>
export type ListShape = Static<typeof List>
export type ListRequestShape = Static<typeof ListRequest>
export type ListUpdateShape = Static<typeof ListUpdate>

// Lists choose audiences, as campaigns do: the same roles write them.
export const LIST_WRITERS = ['Administrator', 'Campaign Manager'] as const
