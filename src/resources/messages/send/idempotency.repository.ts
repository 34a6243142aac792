import { sql } from 'kysely'
import type { Db, Tx } from '../../../db/database.ts'
import type { IdempotencyKeyRow } from '../messages.table.ts'

/** How long a key is kept: Stripe's "at least 24 hours". */
const IDEMPOTENCY_KEY_HOURS = 24

/** Whose keys: an account's, and within it one caller's (see IdempotencyKeysTable.caller). */
export interface KeyScope {
  accountId: string
  caller: string
}

/** Claims the key for this request; false when it is taken (waiting for a concurrent claim to commit). */
export async function claimIdempotencyKey(tx: Tx, scope: KeyScope, key: string, hash: string): Promise<boolean> {
  const claimed = await tx
    .insertInto('idempotency_keys')
    .values({
      account_id: scope.accountId,
      caller: scope.caller,
      key,
      request_hash: hash,
      status_code: null,
      response: null
    })
    .onConflict((conflict) => conflict.columns(['account_id', 'caller', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst()
  return claimed !== undefined
}

export async function findIdempotencyKey(tx: Tx, scope: KeyScope, key: string): Promise<IdempotencyKeyRow> {
  return await tx
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('caller', '=', scope.caller)
    .where('key', '=', key)
    .executeTakeFirstOrThrow()
}

export async function storeIdempotentAnswer(
  tx: Tx,
  scope: KeyScope,
  key: string,
  answer: { statusCode: number; body: unknown }
): Promise<void> {
  await tx
    .updateTable('idempotency_keys')
    .set({ status_code: answer.statusCode, response: JSON.stringify(answer.body) })
    .where('account_id', '=', scope.accountId)
    .where('caller', '=', scope.caller)
    .where('key', '=', key)
    .execute()
}

/** Forgets keys older than IDEMPOTENCY_KEY_HOURS; answers how many. */
export async function purgeIdempotencyKeys(db: Db): Promise<number> {
  const deleted = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_KEY_HOURS})`)
    .executeTakeFirst()
  return Number(deleted.numDeletedRows)
}
