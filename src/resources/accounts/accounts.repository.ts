import { sql } from 'kysely'
import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { AccountChanges } from './accounts.schemas.ts'
import type { AccountRow } from './accounts.table.ts'

export async function insertAccount(
  db: DbOrTx,
  account: { id: string; name: string },
  actor: ActorShape
): Promise<AccountRow> {
  return await db
    .insertInto('accounts')
    .values({ id: account.id, name: account.name, created_by: actorJson(actor), updated_by: actorJson(actor) })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findAccount(db: DbOrTx, accountId: string): Promise<AccountRow | undefined> {
  return await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst()
}

/** Answers the changed account. */
export async function updateAccount(
  db: DbOrTx,
  accountId: string,
  changes: AccountChanges,
  actor: ActorShape
): Promise<AccountRow | undefined> {
  return await db
    .updateTable('accounts')
    .set({
      name: changes.name,
      help_text: changes.helpText,
      updated_at: sql<Date>`now()`,
      updated_by: actorJson(actor)
    })
    .where('id', '=', accountId)
    .returningAll()
    .executeTakeFirst()
}

export async function countAccounts(db: DbOrTx): Promise<number> {
  const { count } = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return count
}

/** The installation's first account: the oldest, usually the one bootstrap made. */
export async function findFirstAccountId(db: DbOrTx): Promise<string | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
  return row?.id
}
