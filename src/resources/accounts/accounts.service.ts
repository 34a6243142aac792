import type { Db } from '../../db/database.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { insertDemoSender } from '../senders/demo-sender.ts'
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
  /** Start with an active sandbox sender in My First Group (README "Quick start"); `number` overrides the fictional one. */
  demoSender?: { number?: string }
}

/**
 * An account is never without its first Administrator and its default group ("My First Group",
 * holding that Administrator); all three, and the demo sender when asked for, are written in one
 * transaction.
 */
export async function createAccount(
  db: Db,
  account: NewAccount,
  actor: ActorShape
): Promise<{ account: AccountRow; admin: UserRow; group: GroupRow; senderNumber?: string }> {
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
    const senderNumber = account.demoSender
      ? await insertDemoSender(tx, row.id, group.id, actor, account.demoSender.number)
      : undefined
    return { account: row, admin, group, senderNumber }
  })
}
