import { sql, type RawBuilder } from 'kysely'
import { countRows, withTotalCount } from '../../db/count.ts'
import { likePattern, nameContains } from '../../db/text-match.ts'
import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { filterCondition } from '../audience/audience.repository.ts'
import type { ListFilterShape } from './lists.schemas.ts'
import type { ListCounts, ListRow } from './lists.table.ts'

const reachable = sql<boolean>`(c.opted_out_at IS NULL AND c.blocked_at IS NULL)`

/**
 * A dynamic list's filter as one SQL condition over contacts `c`. Tags and attributes mean what they
 * mean in a send's filters (the same builder); `q` matches the contact list's name, email and mobile.
 */
async function dynamicCondition(db: DbOrTx, accountId: string, filter: ListFilterShape): Promise<RawBuilder<boolean>> {
  const conditions: RawBuilder<boolean>[] = []
  if ((filter.tags?.length ?? 0) > 0 || (filter.attributes?.length ?? 0) > 0)
    conditions.push(await filterCondition(db, accountId, { tags: filter.tags, attributes: filter.attributes }))
  const q = filter.q?.trim()
  if (q) {
    const pattern = likePattern(q)
    conditions.push(
      sql<boolean>`(c.first_name ILIKE ${pattern} OR c.last_name ILIKE ${pattern} OR c.email ILIKE ${pattern} OR c.mobile ILIKE ${pattern})`
    )
  }
  const valid = filter.valid ?? (filter.blocked === undefined ? undefined : !filter.blocked)
  if (valid !== undefined) conditions.push(valid ? reachable : sql<boolean>`NOT ${reachable}`)
  return conditions.length === 0 ? sql<boolean>`true` : sql<boolean>`(${sql.join(conditions, sql` AND `)})`
}

/** The list's members as one SQL condition over contacts `c`: its rows, or its filter now. */
export async function listCondition(db: DbOrTx, accountId: string, list: ListRow): Promise<RawBuilder<boolean>> {
  if (list.filter !== null) return await dynamicCondition(db, accountId, list.filter)
  return sql<boolean>`EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ${list.id} AND m.contact_id = c.id)`
}

export async function countAudience(
  db: DbOrTx,
  accountId: string,
  condition: RawBuilder<boolean>
): Promise<ListCounts> {
  const row = await db
    .selectFrom('contacts as c')
    .where('c.account_id', '=', accountId)
    .where(condition)
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) FILTER (WHERE ${reachable}))::int`.as('valid')
    ])
    .executeTakeFirstOrThrow()
  return { total: row.total, valid: row.valid }
}

/** Ids of the audience's contacts, a page at a time in id order. */
export async function audiencePage(
  db: DbOrTx,
  accountId: string,
  condition: RawBuilder<boolean>,
  page: PageRequest
): Promise<Page<string>> {
  const matching = db.selectFrom('contacts as c').where('c.account_id', '=', accountId).where(condition)
  const rows = await matching.select('c.id').orderBy('c.id').offset(page.offset).limit(page.limit).execute()
  return await withTotalCount(
    page,
    rows.map((row) => row.id),
    () => countRows(matching)
  )
}

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
