import { Type, type Static } from 'typebox'
import { AccountParams, ref, Updated } from '../../shared/schemas.ts'
import { DATA_TYPES } from './attributes.table.ts'

// Names contacts use for their core fields; a custom attribute cannot shadow them in a CSV header.
export const RESERVED_NAMES = ['id', 'mobile', 'country', 'firstname', 'lastname', 'email', 'tags', 'assigneduser']

const DataTypeSchema = Type.Enum(DATA_TYPES, { description: 'Type values are checked against' })

export const Attribute = Type.Object(
  {
    id: Type.String(),
    name: Type.String({ description: "Key of the value in a contact's attributes object" }),
    label: Type.String(),
    type: Type.Literal('contacts'),
    dataType: DataTypeSchema,
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Attribute' }
)

export const AttributeRequest = Type.Object({
  name: Type.String({
    pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$',
    description: 'Letters, digits and underscores, starting with a letter'
  }),
  label: Type.Optional(Type.String({ maxLength: 200 })),
  dataType: Type.Optional(DataTypeSchema)
})

export const AttributeUpdateRequest = Type.Partial(AttributeRequest)

export const AttributeParams = Type.Object({ ...AccountParams.properties, attributeId: Type.String() })

export const AttributeDeleteQuery = Type.Object({
  removeValues: Type.Boolean({
    default: false,
    description:
      "Also remove the attribute's values from every contact that has one; without it, deleting an attribute in use is refused"
  })
})

export type AttributeShape = Static<typeof Attribute>
export type AttributeInput = Static<typeof AttributeRequest>
