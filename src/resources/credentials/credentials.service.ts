import { randomUUID } from 'node:crypto'
import type { DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { hashSecret } from '../../lib/secret-hash.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { findUser } from '../users/users.repository.ts'
import { findCredential, insertCredential, revokeCredential } from './credentials.repository.ts'
import type { ApiCredentialRow } from './credentials.table.ts'

export interface CredentialRequest {
  name?: string
  userId?: string
  /** Only bootstrap chooses its own id and secret; the API always generates them. */
  clientId?: string
  clientSecret?: string
}

/** Client id and secret are UUIDs, as Sakari issues them. The secret leaves this function once. */
export async function createCredential(
  db: DbOrTx,
  accountId: string,
  request: CredentialRequest,
  actor: ActorShape
): Promise<{ credential: ApiCredentialRow; clientSecret: string }> {
  if (request.userId !== undefined && !(await findUser(db, accountId, request.userId))) throw new ApiError('USER-001')
  const clientSecret = request.clientSecret ?? randomUUID()
  const credential = await insertCredential(
    db,
    accountId,
    {
      id: newId(),
      clientId: request.clientId ?? randomUUID(),
      secretHash: await hashSecret(clientSecret),
      name: request.name ?? '',
      userId: request.userId ?? null
    },
    actor
  )
  return { credential, clientSecret }
}

export async function revokeAccountCredential(
  db: DbOrTx,
  accountId: string,
  credentialId: string
): Promise<ApiCredentialRow> {
  const revoked = await revokeCredential(db, accountId, credentialId)
  if (revoked) return revoked
  throw new ApiError((await findCredential(db, accountId, credentialId)) ? 'AUTH-005' : 'AUTH-004')
}
