import type { Updateable } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { UserUpdateShape } from './users.schemas.ts'
import type { Role } from '../../shared/roles.ts'
import type { UserRow, UsersTable } from './users.table.ts'
import { countRows, withTotalCount } from '../../db/count.ts'

export interface NewUser {
  id: string
  email: string
  firstName: string
  lastName: string
  role: Role
}

export async function insertUser(db: DbOrTx, accountId: string, user: NewUser, actor: ActorShape): Promise<UserRow> {
  return await db
    .insertInto('users')
    .values({
      id: user.id,
      account_id: accountId,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      role: user.role,
      created_by: actorJson(actor),
      updated_by: actorJson(actor)
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findUser(db: DbOrTx, accountId: string, userId: string): Promise<UserRow | undefined> {
  return await db
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

export async function listUsers(db: DbOrTx, accountId: string, page: PageRequest): Promise<Page<UserRow>> {
  const live = db.selectFrom('users').where('account_id', '=', accountId).where('deleted_at', 'is', null)
  const items = await live
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .offset(page.offset)
    .limit(page.limit)
    .execute()
  return await withTotalCount(page, items, () => countRows(live))
}

/** Answers the changed user, or undefined when there is no live user with that id. */
export async function updateUser(
  db: DbOrTx,
  accountId: string,
  userId: string,
  changes: UserUpdateShape,
  actor: ActorShape
): Promise<UserRow | undefined> {
  const { email, firstName, lastName, role } = changes
  return await updateLiveUser(db, accountId, userId, { email, first_name: firstName, last_name: lastName, role }, actor)
}

async function updateLiveUser(
  db: DbOrTx,
  accountId: string,
  userId: string,
  columns: Updateable<UsersTable>,
  actor: ActorShape
): Promise<UserRow | undefined> {
  return await db
    .updateTable('users')
    .set({ ...columns, updated_at: new Date(), updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst()
}

/** Soft delete: messages the user sent keep their name; the email can be used again. */
export async function markUserDeleted(
  db: DbOrTx,
  accountId: string,
  userId: string,
  actor: ActorShape
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ deleted_at: new Date(), updated_at: new Date(), updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Locks the account's live Administrators for the rest of the transaction and answers their ids.
 * In id order, so two transactions take the locks in the same order and cannot deadlock.
 */
export async function lockAdministrators(tx: Tx, accountId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('account_id', '=', accountId)
    .where('role', '=', 'Administrator')
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute()
  return rows.map((row) => row.id)
}

/** The live user with this email (case-insensitive) in the account. */
export async function findUserByEmail(
  db: DbOrTx,
  accountId: string,
  email: string
): Promise<Pick<UserRow, 'id' | 'email' | 'first_name' | 'last_name' | 'role'> | undefined> {
  return await db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'last_name', 'role'])
    .where('account_id', '=', accountId)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

/** The ids and emails of the account's live users: what a contact's assignedUser may name. */
export async function listUserEmails(db: DbOrTx, accountId: string): Promise<Array<{ id: string; email: string }>> {
  return await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('account_id', '=', accountId)
    .where('deleted_at', 'is', null)
    .execute()
}

/** The roles of those of `userIds` still in the account (removed users are absent). */
export async function liveUserRoles(
  db: DbOrTx,
  accountId: string,
  userIds: readonly string[]
): Promise<Array<{ id: string; role: Role }>> {
  if (userIds.length === 0) return []
  return await db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('account_id', '=', accountId)
    .where('id', 'in', userIds)
    .where('deleted_at', 'is', null)
    .execute()
}

/** The account's live Administrators: who hears of changes only they can act on (a sender registered). */
export async function listAdministrators(
  db: DbOrTx,
  accountId: string
): Promise<Array<Pick<UserRow, 'id' | 'email' | 'first_name' | 'last_name'>>> {
  return await db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'last_name'])
    .where('account_id', '=', accountId)
    .where('role', '=', 'Administrator')
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute()
}

/** Answers the changed user, or undefined when there is no live user with that id. */
export async function updateMailPreferences(
  db: DbOrTx,
  accountId: string,
  userId: string,
  preferences: { notifyOnAssignment: boolean },
  actor: ActorShape
): Promise<UserRow | undefined> {
  return await updateLiveUser(db, accountId, userId, { notify_on_assignment: preferences.notifyOnAssignment }, actor)
}
