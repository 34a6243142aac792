import { Type, type Static } from 'typebox'
import { audit } from '../../shared/audit.ts'
import { ref, Updated } from '../../shared/schemas.ts'
import type { ApiCredentialRow } from './credentials.table.ts'

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

export function toApiCredential(row: ApiCredentialRow): ApiCredentialShape {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    userId: row.user_id,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    created: audit(row.created_at, row.created_by)
  }
}
