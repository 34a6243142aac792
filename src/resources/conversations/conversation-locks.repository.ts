import { sql } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { UserName } from './conversations.table.ts'

export interface HeldLock {
  conversation_id: string
  user: UserName & { email: string }
  expires_at: Date
}

export interface TakenLock {
  expires_at: Date
  /** false when the holder only extended a lock they already held. */
  taken: boolean
}

/**
 * Takes the lock for the user, or extends it when they hold it, in one conditional UPDATE: racing
 * takers queue on the row lock and each re-checks the condition against the winner's row, so the
 * database lets exactly one through, whichever instance they came from. Undefined: someone else holds it.
 */
export async function takeLock(
  db: DbOrTx,
  accountId: string,
  conversationId: string,
  userId: string,
  seconds: number
): Promise<TakenLock | undefined> {
  const { rows } = await sql<TakenLock>`
    UPDATE conversations SET
      lock_user_id = ${userId},
      lock_expires_at = now() + make_interval(secs => ${seconds}),
      lock_taken_at = CASE WHEN lock_user_id = ${userId} AND lock_expires_at > now() THEN lock_taken_at ELSE now() END
    WHERE account_id = ${accountId} AND id = ${conversationId}
      AND (lock_user_id IS NULL OR lock_expires_at <= now() OR lock_user_id = ${userId})
    RETURNING lock_expires_at AS expires_at, lock_taken_at = now() AS taken
  `.execute(db)
  return rows[0]
}

// The conversations' locks that have not lapsed, with their holders' names.
const heldLocks = sql`
  SELECT cv.id AS conversation_id, cv.lock_expires_at AS expires_at,
    jsonb_build_object('id', u.id, 'firstName', u.first_name, 'lastName', u.last_name, 'email', u.email) AS user
  FROM conversations cv JOIN users u ON u.id = cv.lock_user_id
  WHERE cv.lock_expires_at > now()`

/** The locks that have not lapsed on these conversations, held by anyone but `userId` (null: by anyone). */
export async function locksHeldByOthers(
  db: DbOrTx,
  accountId: string,
  conversationIds: readonly string[],
  userId: string | null
): Promise<HeldLock[]> {
  if (conversationIds.length === 0) return []
  const { rows } = await sql<HeldLock>`
    ${heldLocks} AND cv.account_id = ${accountId} AND cv.id = ANY(${conversationIds}::text[])
      AND cv.lock_user_id IS DISTINCT FROM ${userId}
  `.execute(db)
  return rows
}

/** The conversation's lock, if it has not lapsed, with the row locked until the transaction ends. */
export async function lockedHolder(tx: Tx, accountId: string, conversationId: string): Promise<HeldLock | undefined> {
  const { rows } = await sql<HeldLock>`
    ${heldLocks} AND cv.account_id = ${accountId} AND cv.id = ${conversationId}
    FOR UPDATE OF cv
  `.execute(tx)
  return rows[0]
}

export async function clearLock(tx: Tx, accountId: string, conversationId: string, actor: ActorShape): Promise<void> {
  await tx
    .updateTable('conversations')
    .set({
      lock_user_id: null,
      lock_expires_at: null,
      lock_taken_at: null,
      updated_at: sql<Date>`now()`,
      updated_by: actorJson(actor)
    })
    .where('account_id', '=', accountId)
    .where('id', '=', conversationId)
    .execute()
}

/** A reply by the lock's holder counts as activity: their locks on these conversations last longer. */
export async function extendOwnLocks(
  tx: Tx,
  accountId: string,
  conversationIds: readonly string[],
  userId: string,
  seconds: number
): Promise<Array<{ id: string; group_id: string | null; expires_at: Date }>> {
  if (conversationIds.length === 0) return []
  const { rows } = await sql<{ id: string; group_id: string | null; expires_at: Date }>`
    UPDATE conversations SET lock_expires_at = now() + make_interval(secs => ${seconds})
    WHERE account_id = ${accountId} AND id = ANY(${conversationIds}::text[])
      AND lock_user_id = ${userId} AND lock_expires_at > now()
    RETURNING id, group_id, lock_expires_at AS expires_at
  `.execute(tx)
  return rows
}
