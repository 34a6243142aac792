import type { Db } from '../../db/database.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { createFirstGroup } from '../groups/groups.service.ts'
import type { GroupRow } from '../groups/groups.table.ts'
import type { UserRow } from '../users/users.table.ts'
import { createUser } from '../users/users.service.ts'
import { insertAccount } from './accounts.repository.ts'
import type { AccountRow } from './accounts.table.ts'

export interface NewAccount {
  id?: string
  name: string
  admin: { email: string; firstName?: string; lastName?: string }
}

/**
 * An account is never without its first Administrator and its default group ("My First Group",
 * holding that Administrator); all three are written in one transaction.
 */
export async function createAccount(
  db: Db,
  account: NewAccount,
  actor: ActorShape
): Promise<{ account: AccountRow; admin: UserRow; group: GroupRow }> {
  return await db.transaction().execute(async (tx) => {
    const row = await insertAccount(tx, { id: account.id ?? newId(), name: account.name }, actor)
    const admin = await createUser(
      tx,
      row.id,
      {
        email: account.admin.email,
        firstName: account.admin.firstName ?? '',
        lastName: account.admin.lastName ?? '',
        role: 'Administrator'
      },
      actor
    )
    const group = await createFirstGroup(tx, row.id, admin.id, actor)
    return { account: row, admin, group }
  })
}
