import type { DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import type { Principal } from '../../shared/principal.ts'
import { firstGroupIn, hasActiveSender, resolveGroup } from './groups.repository.ts'
import type { GroupRow } from './groups.table.ts'

// Builds SQL outside a repository: the access rule is a subquery that repositories embed as a scope.

// Who may work in which group. Every endpoint that touches a group's inbox, conversations, messages
// or senders asks these functions, so the rule lives in one place:
// - a principal without an acting user (an account-wide credential) works in every group;
// - an acting user of any role, Administrators included, works only in the groups they are a member
//   of: administrators add themselves to see a group's conversations;
// - for users other than Administrators, a group counts only once one of its senders is active:
//   an inbox stays hidden until its registration completes (docs/teams.md).

/** The ids of the groups an acting user may work in, as a subquery; undefined means every group. */
export function usableGroupIdsQuery(db: DbOrTx, principal: Principal) {
  if (!principal.user) return undefined
  let query = db
    .selectFrom('group_users as gu')
    .select('gu.group_id')
    .where('gu.account_id', '=', principal.accountId)
    .where('gu.user_id', '=', principal.user.id)
  if (principal.role !== 'Administrator') query = query.where(hasActiveSender)
  return query
}

/**
 * The ids of the groups whose details (name, senders, users) the principal may read; undefined means
 * every group. Administrators read every group, to manage them, without being members.
 */
export function readableGroupIdsQuery(db: DbOrTx, principal: Principal) {
  return principal.role === 'Administrator' ? undefined : usableGroupIdsQuery(db, principal)
}

/** `'all'`, or the ids of the groups the principal may work in. */
export async function groupsUsableBy(db: DbOrTx, principal: Principal): Promise<'all' | string[]> {
  const query = usableGroupIdsQuery(db, principal)
  if (!query) return 'all'
  return (await query.execute()).map((row) => row.group_id)
}

/**
 * The group if the principal may work in it. A group that exists but is not usable answers exactly
 * like a missing one (GRP-001), so a non-member learns nothing about it.
 */
export async function assertCanUseGroup(db: DbOrTx, principal: Principal, idOrApiCode: string): Promise<GroupRow> {
  return await groupWithin(db, principal, idOrApiCode, usableGroupIdsQuery(db, principal))
}

/** The group if the principal may read its details; otherwise GRP-001, as for a missing group. */
export async function assertCanReadGroup(db: DbOrTx, principal: Principal, idOrApiCode: string): Promise<GroupRow> {
  return await groupWithin(db, principal, idOrApiCode, readableGroupIdsQuery(db, principal))
}

async function groupWithin(
  db: DbOrTx,
  principal: Principal,
  idOrApiCode: string,
  scope: ReturnType<typeof usableGroupIdsQuery>
): Promise<GroupRow> {
  const group = await resolveGroup(db, principal.accountId, idOrApiCode)
  if (group && (!scope || (await scope.where('gu.group_id', '=', group.id).executeTakeFirst()))) return group
  throw new ApiError('GRP-001', `Group ${idOrApiCode} not found`)
}

/**
 * Where the principal works when no group is named: the account's default group, or for an acting
 * user the default group if usable, else their oldest usable group, else none.
 */
export async function defaultGroupFor(db: DbOrTx, principal: Principal): Promise<GroupRow | undefined> {
  return await firstGroupIn(db, principal.accountId, usableGroupIdsQuery(db, principal))
}
