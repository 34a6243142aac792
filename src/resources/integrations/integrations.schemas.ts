import { Type, type Static } from 'typebox'
import { AccountParams } from '../../shared/schemas.ts'

export const IntegrationParams = Type.Object({
  ...AccountParams.properties,
  integration: Type.String({
    pattern: '^[a-z][a-z0-9-]{1,39}$',
    description: 'Integration name, e.g. hubspot or pipedrive'
  })
})

export const SyncRecord = Type.Object({
  id: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Integer({ minimum: 0 })], {
    description: "The record's id in the integration"
  }),
  phone: Type.String({ minLength: 1, maxLength: 40 }),
  country: Type.Optional(
    Type.String({ description: 'ISO 3166 alpha-2, needed unless the phone is in international (+) form' })
  ),
  firstName: Type.Optional(Type.String({ maxLength: 200 })),
  lastName: Type.Optional(Type.String({ maxLength: 200 })),
  email: Type.Optional(Type.String({ maxLength: 254 }))
})

export const SyncRequest = Type.Object({
  records: Type.Array(SyncRecord, { minItems: 1, maxItems: 1000 })
})

const Problem = Type.Object({ code: Type.String(), description: Type.String() })

export const SyncResult = Type.Object(
  {
    submitted: Type.Integer(),
    linked: Type.Array(
      Type.Object({
        externalId: Type.String(),
        contactId: Type.String(),
        mobile: Type.String(),
        created: Type.Boolean({ description: 'True when the number was new to Parley' })
      }),
      { description: 'Records whose number is synced with them (new links and updates of linked ones)' }
    ),
    notLinked: Type.Array(
      Type.Object({
        externalId: Type.String(),
        mobile: Type.String(),
        linkedTo: Type.String({ description: 'The record the number is synced with instead' }),
        error: Problem
      }),
      { description: 'Records that share a number with a record of lower id, or with the record already synced' }
    ),
    errors: Type.Array(Type.Object({ externalId: Type.String(), error: Problem }), {
      description: 'Records whose phone could not be parsed'
    })
  },
  { $id: 'ContactSyncResult' }
)

export type SyncRecordShape = Static<typeof SyncRecord>
export type SyncResultShape = Static<typeof SyncResult>
