import type { DbOrTx } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { insertUser, type NewUser } from './users.repository.ts'
import type { UserRow } from './users.table.ts'

export async function createUser (db: DbOrTx, accountId: string, user: Omit<NewUser, 'id'>, actor: ActorShape): Promise<UserRow> {
  try {
    return await insertUser(db, accountId, { ...user, id: newId() }, actor)
  } catch (error) {
    if (isUniqueViolation(error, 'users_account_email_key')) throw new ApiError('USER-002')
    throw error
  }
}
