import type { ExpressionBuilder } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import { countRows, withTotalCount } from '../../db/count.ts'
import type { Database, DbOrTx, Tx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { readableGroupIdsQuery, usableGroupIdsQuery } from './group-access.ts'
import type { Role } from '../../shared/roles.ts'
import type { GroupRow, GroupUsersTable, OfficeHoursValue, GroupDetailsRow } from './groups.table.ts'

export interface GroupValues {
  name: string
  apiCode: string
  color: string | null
  callForwarding: string | null
  isDefault: boolean
  tags: string[]
  officeHours: OfficeHoursValue
}

/** A subquery of group ids that limits a read; undefined reads every group of the account. */
type GroupIdScope = ReturnType<typeof readableGroupIdsQuery>

function groupsWithMembers(db: DbOrTx, accountId: string) {
  return db
    .selectFrom('groups as g')
    .selectAll('g')
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('senders as s')
          .select(['s.id', 's.number', 's.dialling_code', 's.status'])
          .whereRef('s.group_id', '=', 'g.id')
          .orderBy('s.created_at')
          .orderBy('s.id')
      ).as('senders'),
      jsonArrayFrom(
        eb
          .selectFrom('group_users as gu')
          .innerJoin('users as u', 'u.id', 'gu.user_id')
          .select(['u.id', 'u.email', 'u.first_name', 'u.last_name', 'u.role'])
          .whereRef('gu.group_id', '=', 'g.id')
          .where('u.deleted_at', 'is', null)
          .orderBy('gu.created_at')
          .orderBy('u.id')
      ).as('users')
    ])
    .where('g.account_id', '=', accountId)
}

export async function findGroupDetails(
  db: DbOrTx,
  accountId: string,
  groupId: string
): Promise<GroupDetailsRow | undefined> {
  return await groupsWithMembers(db, accountId).where('g.id', '=', groupId).executeTakeFirst()
}

export async function listGroups(
  db: DbOrTx,
  accountId: string,
  scope: GroupIdScope,
  page: PageRequest
): Promise<Page<GroupDetailsRow>> {
  let items = groupsWithMembers(db, accountId)
  let count = db.selectFrom('groups as g').where('g.account_id', '=', accountId)
  if (scope) {
    items = items.where('g.id', 'in', scope)
    count = count.where('g.id', 'in', scope)
  }
  const rows = await items.orderBy('g.created_at').orderBy('g.id').offset(page.offset).limit(page.limit).execute()
  return await withTotalCount(page, rows, () => countRows(count))
}

/** Absent values are left out of the statement (Kysely skips undefined). */
function columnsOf(values: Partial<GroupValues>) {
  return {
    name: values.name,
    api_code: values.apiCode,
    color: values.color,
    call_forwarding: values.callForwarding,
    is_default: values.isDefault,
    tags: values.tags,
    office_hours: values.officeHours && JSON.stringify(values.officeHours)
  }
}

export async function insertGroup(
  db: DbOrTx,
  accountId: string,
  id: string,
  values: GroupValues,
  actor: ActorShape
): Promise<GroupRow> {
  return await db
    .insertInto('groups')
    .values({
      id,
      account_id: accountId,
      name: values.name,
      api_code: values.apiCode,
      color: values.color,
      call_forwarding: values.callForwarding,
      is_default: values.isDefault,
      tags: values.tags,
      office_hours: JSON.stringify(values.officeHours),
      created_by: actorJson(actor),
      updated_by: actorJson(actor)
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateGroup(
  db: DbOrTx,
  accountId: string,
  groupId: string,
  values: Partial<GroupValues>,
  actor: ActorShape
): Promise<void> {
  await db
    .updateTable('groups')
    .set({ ...columnsOf(values), updated_at: new Date(), updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', groupId)
    .execute()
}

/** Takes the default flag from whichever group holds it, so another group can take it. */
export async function clearDefaultGroup(db: DbOrTx, accountId: string): Promise<void> {
  await db
    .updateTable('groups')
    .set({ is_default: false })
    .where('account_id', '=', accountId)
    .where('is_default', '=', true)
    .execute()
}

/** Deletes the group unless it is the default; answers whether a row went. */
export async function deleteNonDefaultGroup(db: DbOrTx, accountId: string, groupId: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('groups')
    .where('account_id', '=', accountId)
    .where('id', '=', groupId)
    .where('is_default', '=', false)
    .executeTakeFirst()
  return deleted.numDeletedRows > 0n
}

export async function insertGroupUser(
  db: DbOrTx,
  accountId: string,
  groupId: string,
  userId: string,
  actor: ActorShape
): Promise<void> {
  await db
    .insertInto('group_users')
    .values({ account_id: accountId, group_id: groupId, user_id: userId, created_by: actorJson(actor) })
    .onConflict((conflict) => conflict.columns(['group_id', 'user_id']).doNothing())
    .execute()
}

export async function isGroupMember(db: DbOrTx, accountId: string, groupId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('group_users')
    .select('user_id')
    .where('account_id', '=', accountId)
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row !== undefined
}

export async function deleteGroupUser(
  db: DbOrTx,
  accountId: string,
  groupId: string,
  userId: string
): Promise<boolean> {
  const deleted = await db
    .deleteFrom('group_users')
    .where('account_id', '=', accountId)
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return deleted.numDeletedRows > 0n
}

/** The groups each of the users belongs to, oldest membership first. */
/** The groups each user is a member of, limited to `scope` (the groups the caller may read) when given. */
export async function groupsOfUsers(
  db: DbOrTx,
  accountId: string,
  userIds: string[],
  scope: ReturnType<typeof readableGroupIdsQuery>
): Promise<Map<string, Array<{ id: string; name: string }>>> {
  const byUser = new Map<string, Array<{ id: string; name: string }>>(userIds.map((id) => [id, []]))
  if (userIds.length === 0) return byUser
  const rows = await db
    .selectFrom('group_users as gu')
    .innerJoin('groups as g', 'g.id', 'gu.group_id')
    .select(['gu.user_id', 'g.id', 'g.name'])
    .where('gu.account_id', '=', accountId)
    .where('gu.user_id', 'in', userIds)
    .$if(scope !== undefined, (query) => query.where('g.id', 'in', scope!))
    .orderBy('gu.created_at')
    .orderBy('g.id')
    .execute()
  for (const row of rows) byUser.get(row.user_id)?.push({ id: row.id, name: row.name })
  return byUser
}

/**
 * Locks the account's default group row for the rest of the transaction, so decisions that depend
 * on what it holds (the first sender joining it) are taken one at a time.
 */
export async function lockDefaultGroup(tx: Tx, accountId: string): Promise<{ id: string } | undefined> {
  return await tx
    .selectFrom('groups')
    .select('id')
    .where('account_id', '=', accountId)
    .where('is_default', '=', true)
    .forUpdate()
    .executeTakeFirst()
}

export async function deleteMembershipsOfUser(db: DbOrTx, accountId: string, userId: string): Promise<void> {
  await db.deleteFrom('group_users').where('account_id', '=', accountId).where('user_id', '=', userId).execute()
}

/** A group of the account by id or by API code (case-insensitive); an id wins over an equal API code. */
export async function resolveGroup(db: DbOrTx, accountId: string, idOrApiCode: string): Promise<GroupRow | undefined> {
  return await db
    .selectFrom('groups')
    .selectAll()
    .where('account_id', '=', accountId)
    .where((eb) =>
      eb.or([eb('id', '=', idOrApiCode), eb(eb.fn('lower', ['api_code']), '=', idOrApiCode.toLowerCase())])
    )
    .orderBy((eb) => eb('id', '=', idOrApiCode), 'desc')
    .limit(1)
    .executeTakeFirst()
}

/**
 * The account's default group when `usable` is undefined (every group); otherwise the default group
 * if among `usable`, else the oldest of them, else none.
 */
export async function firstGroupIn(
  db: DbOrTx,
  accountId: string,
  usable: ReturnType<typeof usableGroupIdsQuery>
): Promise<GroupRow | undefined> {
  let query = db.selectFrom('groups').selectAll().where('account_id', '=', accountId)
  query = usable ? query.where('id', 'in', usable) : query.where('is_default', '=', true)
  return await query.orderBy('is_default', 'desc').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst()
}

/** The membership's group has an active sender: what makes it usable by users other than Administrators. */
export function hasActiveSender({ exists, selectFrom }: ExpressionBuilder<Database & { gu: GroupUsersTable }, 'gu'>) {
  return exists(
    selectFrom('senders as active')
      .select('active.id')
      .whereRef('active.group_id', '=', 'gu.group_id')
      .where('active.status', '=', 'active')
  )
}

/**
 * The groups each of these acting users may work in, by the same rule as `usableGroupIdsQuery` (group-access.ts), in one
 * query: what open inbox streams re-check. A user with no usable group is absent.
 */
export async function usableGroupsOfUsers(
  db: DbOrTx,
  accountId: string,
  users: ReadonlyArray<{ id: string; role: Role }>
): Promise<Map<string, Set<string>>> {
  const administrators = users.filter((user) => user.role === 'Administrator').map((user) => user.id)
  const others = users.filter((user) => user.role !== 'Administrator').map((user) => user.id)
  const groups = new Map<string, Set<string>>()
  if (users.length === 0) return groups
  const rows = await db
    .selectFrom('group_users as gu')
    .select(['gu.user_id', 'gu.group_id'])
    .where('gu.account_id', '=', accountId)
    .where((eb) =>
      eb.or([
        ...(administrators.length > 0 ? [eb('gu.user_id', 'in', administrators)] : []),
        ...(others.length > 0 ? [eb.and([eb('gu.user_id', 'in', others), hasActiveSender(eb)])] : [])
      ])
    )
    .execute()
  for (const row of rows) {
    let ofUser = groups.get(row.user_id)
    if (!ofUser) groups.set(row.user_id, (ofUser = new Set()))
    ofUser.add(row.group_id)
  }
  return groups
}
