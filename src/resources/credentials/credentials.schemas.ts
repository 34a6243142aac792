import { Type, type Static } from 'typebox'
import { ref, Updated } from '../../shared/schemas.ts'

export const ApiCredential = Type.Object(
  {
    id: Type.String(),
    clientId: Type.String(),
    name: Type.String(),
    userId: Type.Union([Type.String(), Type.Null()], { description: 'null for an account-wide credential' }),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    created: ref(Updated)
  },
  { $id: 'ApiCredential' }
)

export const NewApiCredential = Type.Object(
  {
    ...ApiCredential.properties,
    clientSecret: Type.String({ description: 'Shown once, at creation; only a hash is stored' })
  },
  { $id: 'NewApiCredential' }
)

export const ApiCredentialRequest = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 100 })),
  userId: Type.Optional(
    Type.String({ description: 'Bind the credential to this user; omit for an account-wide credential' })
  )
})

export const CredentialParams = Type.Object({
  accountId: Type.String(),
  credentialId: Type.String()
})

export type ApiCredentialShape = Static<typeof ApiCredential>
