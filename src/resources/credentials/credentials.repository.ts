import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { ApiCredentialRow } from './credentials.table.ts'
import { countRows, withTotalCount } from '../../db/count.ts'

export interface NewCredential {
  id: string
  clientId: string
  secretHash: string
  name: string
  userId: string | null
}

export async function insertCredential(
  db: DbOrTx,
  accountId: string,
  credential: NewCredential,
  actor: ActorShape
): Promise<ApiCredentialRow> {
  return await db
    .insertInto('api_credentials')
    .values({
      id: credential.id,
      account_id: accountId,
      client_id: credential.clientId,
      secret_hash: credential.secretHash,
      name: credential.name,
      user_id: credential.userId,
      created_by: actorJson(actor)
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findCredential(
  db: DbOrTx,
  accountId: string,
  credentialId: string
): Promise<ApiCredentialRow | undefined> {
  return await db
    .selectFrom('api_credentials')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', credentialId)
    .executeTakeFirst()
}

export async function findCredentialByClientId(db: DbOrTx, clientId: string): Promise<ApiCredentialRow | undefined> {
  return await db.selectFrom('api_credentials').selectAll().where('client_id', '=', clientId).executeTakeFirst()
}

export async function listCredentials(
  db: DbOrTx,
  accountId: string,
  page: PageRequest
): Promise<Page<ApiCredentialRow>> {
  const ofAccount = db.selectFrom('api_credentials').where('account_id', '=', accountId)
  const items = await ofAccount
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .offset(page.offset)
    .limit(page.limit)
    .execute()
  return await withTotalCount(page, items, () => countRows(ofAccount))
}

/** Marks the credential revoked; answers undefined when it was not live. */
export async function revokeCredential(
  db: DbOrTx,
  accountId: string,
  credentialId: string
): Promise<ApiCredentialRow | undefined> {
  return await db
    .updateTable('api_credentials')
    .set({ revoked_at: new Date() })
    .where('account_id', '=', accountId)
    .where('id', '=', credentialId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst()
}

/** A credential with its user (null columns when it has none, or the user was deleted), to authenticate a token. */
export async function findCredentialWithUser(db: DbOrTx, credentialId: string) {
  return await db
    .selectFrom('api_credentials as c')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'c.user_id').on('u.deleted_at', 'is', null))
    .select([
      'c.account_id',
      'c.client_id',
      'c.revoked_at',
      'c.user_id',
      'u.id as uid',
      'u.email',
      'u.first_name',
      'u.last_name',
      'u.role'
    ])
    .where('c.id', '=', credentialId)
    .executeTakeFirst()
}

/**
 * The account's credentials among `credentialIds`, each with whether it is revoked and whether the
 * user it is bound to (if any) is still there: what open inbox streams re-check.
 */
export async function credentialStates(db: DbOrTx, accountId: string, credentialIds: readonly string[]) {
  if (credentialIds.length === 0) return []
  return await db
    .selectFrom('api_credentials as c')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'c.user_id').on('u.deleted_at', 'is', null))
    .select(['c.id', 'c.revoked_at', 'c.user_id', 'u.id as uid'])
    .where('c.account_id', '=', accountId)
    .where('c.id', 'in', credentialIds)
    .execute()
}
