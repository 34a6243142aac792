import type { Db } from '../../db/database.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { UserRow } from '../users/users.table.ts'
import { createUser } from '../users/users.service.ts'
import { insertAccount } from './accounts.repository.ts'
import type { AccountRow } from './accounts.table.ts'

export interface NewAccount {
  id?: string
  name: string
  admin: { email: string, firstName?: string, lastName?: string }
}

/** An account is never without its first Administrator; both are written in one transaction. */
export async function createAccount (db: Db, account: NewAccount, actor: ActorShape): Promise<{ account: AccountRow, admin: UserRow }> {
  return await db.transaction().execute(async (tx) => {
    const row = await insertAccount(tx, { id: account.id ?? newId(), name: account.name }, actor)
    const admin = await createUser(tx, row.id, {
      email: account.admin.email,
      firstName: account.admin.firstName ?? '',
      lastName: account.admin.lastName ?? '',
      role: 'Administrator'
    }, actor)
    return { account: row, admin }
  })
}
