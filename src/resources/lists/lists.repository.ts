import { countRows, withTotalCount } from '../../db/count.ts'
import { nameContains } from '../../db/text-match.ts'
import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { ListFilterShape } from './lists.schemas.ts'
import type { ListRow } from './lists.table.ts'

export async function insertList(
  db: DbOrTx,
  accountId: string,
  list: { id: string; name: string; filter: ListFilterShape | null },
  actor: ActorShape
): Promise<ListRow> {
  return await db
    .insertInto('lists')
    .values({
      id: list.id,
      account_id: accountId,
      name: list.name,
      filter: list.filter === null ? null : JSON.stringify(list.filter),
      created_by: actorJson(actor),
      updated_by: actorJson(actor)
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findList(db: DbOrTx, accountId: string, listId: string): Promise<ListRow | undefined> {
  return await db
    .selectFrom('lists')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', listId)
    .executeTakeFirst()
}

export async function listLists(
  db: DbOrTx,
  accountId: string,
  filter: PageRequest & { name?: string }
): Promise<Page<ListRow>> {
  let matching = db.selectFrom('lists').where('account_id', '=', accountId)
  if (filter.name) matching = matching.where(nameContains(filter.name))
  const items = await matching
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  return await withTotalCount(filter, items, () => countRows(matching))
}

export async function updateList(
  db: DbOrTx,
  accountId: string,
  listId: string,
  changes: { name?: string; filter?: ListFilterShape },
  actor: ActorShape
): Promise<ListRow | undefined> {
  return await db
    .updateTable('lists')
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.filter === undefined ? {} : { filter: JSON.stringify(changes.filter) }),
      updated_at: new Date(),
      updated_by: actorJson(actor)
    })
    .where('account_id', '=', accountId)
    .where('id', '=', listId)
    .returningAll()
    .executeTakeFirst()
}

export async function deleteList(db: DbOrTx, accountId: string, listId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('lists')
    .where('account_id', '=', accountId)
    .where('id', '=', listId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** Adds the account's contacts among `contactIds`; answers how many were not members before. */
export async function addListMembers(
  db: DbOrTx,
  accountId: string,
  listId: string,
  contactIds: readonly string[]
): Promise<number> {
  if (contactIds.length === 0) return 0
  const inserted = await db
    .insertInto('list_members')
    .columns(['list_id', 'contact_id'])
    .expression((eb) =>
      eb
        .selectFrom('contacts')
        .select([eb.val(listId).as('list_id'), 'id'])
        .where('account_id', '=', accountId)
        .where('id', 'in', contactIds)
    )
    .onConflict((oc) => oc.doNothing())
    .returning('contact_id')
    .execute()
  return inserted.length
}

export async function removeListMember(
  db: DbOrTx,
  accountId: string,
  listId: string,
  contactId: string
): Promise<boolean> {
  const result = await db
    .deleteFrom('list_members')
    .where('list_id', 'in', (eb) =>
      eb.selectFrom('lists').select('id').where('account_id', '=', accountId).where('id', '=', listId)
    )
    .where('contact_id', '=', contactId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}
