import type { Db, DbOrTx } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { deleteMembershipsOfUser } from '../groups/groups.repository.ts'
import { insertUser, markUserDeleted, updateUser, type NewUser } from './users.repository.ts'
import type { UserUpdateShape } from './users.schemas.ts'
import type { UserRow } from './users.table.ts'

function emailConflict (error: unknown): unknown {
  return isUniqueViolation(error, 'users_account_email_key') ? new ApiError('USER-002') : error
}

export async function createUser (db: DbOrTx, accountId: string, user: Omit<NewUser, 'id'>, actor: ActorShape): Promise<UserRow> {
  try {
    return await insertUser(db, accountId, { ...user, id: newId() }, actor)
  } catch (error) {
    throw emailConflict(error)
  }
}

export async function changeUser (db: DbOrTx, accountId: string, userId: string, changes: UserUpdateShape, actor: ActorShape): Promise<UserRow> {
  let user: UserRow | undefined
  try {
    user = await updateUser(db, accountId, userId, changes, actor)
  } catch (error) {
    throw emailConflict(error)
  }
  if (!user) throw new ApiError('USER-001')
  return user
}

/**
 * The user stays in the table, so messages they sent keep their name, but leaves every group and
 * can no longer act: credentials bound to them stop working (see plugins/auth.ts).
 */
export async function removeUser (db: Db, accountId: string, userId: string, actor: ActorShape): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!await markUserDeleted(tx, accountId, userId, actor)) throw new ApiError('USER-001')
    await deleteMembershipsOfUser(tx, accountId, userId)
  })
}
