import type { Db, DbOrTx, Tx } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { deleteMembershipsOfUser } from '../groups/groups.repository.ts'
import { insertUser, lockAdministrators, markUserDeleted, updateUser, type NewUser } from './users.repository.ts'
import type { UserUpdateShape } from './users.schemas.ts'
import type { UserRow } from './users.table.ts'

function emailConflict(error: unknown): unknown {
  return isUniqueViolation(error, 'users_account_email_key') ? new ApiError('USER-002') : error
}

export async function createUser(
  db: DbOrTx,
  accountId: string,
  user: Omit<NewUser, 'id'>,
  actor: ActorShape
): Promise<UserRow> {
  try {
    return await insertUser(db, accountId, { ...user, id: newId() }, actor)
  } catch (error) {
    throw emailConflict(error)
  }
}

/**
 * Refuses to remove or demote the account's last Administrator, so some person can always manage
 * its users, groups and credentials. The lock on every Administrator row makes two requests that each take a different
 * one take turns: the second re-reads the rows after the first commits and sees only one left.
 */
async function keepAnAdministrator(tx: Tx, accountId: string, userId: string): Promise<void> {
  const administrators = await lockAdministrators(tx, accountId)
  if (administrators.length === 1 && administrators[0] === userId) throw new ApiError('USER-003')
}

export async function changeUser(
  db: Db,
  accountId: string,
  userId: string,
  changes: UserUpdateShape,
  actor: ActorShape
): Promise<UserRow> {
  let user: UserRow | undefined
  try {
    user = await db.transaction().execute(async (tx) => {
      if (changes.role !== undefined && changes.role !== 'Administrator')
        await keepAnAdministrator(tx, accountId, userId)
      return await updateUser(tx, accountId, userId, changes, actor)
    })
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
export async function removeUser(db: Db, accountId: string, userId: string, actor: ActorShape): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await keepAnAdministrator(tx, accountId, userId)
    if (!(await markUserDeleted(tx, accountId, userId, actor))) throw new ApiError('USER-001')
    await deleteMembershipsOfUser(tx, accountId, userId)
  })
}
