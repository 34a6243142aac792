import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db, Tx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'

export interface Answer<T> {
  statusCode: number
  body: T
  /** True when the answer is the stored one of an earlier request with the same key. */
  replayed: boolean
}

/** How long a key is kept: Stripe's "at least 24 hours". */
const IDEMPOTENCY_KEY_HOURS = 24

export function requestHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex')
}

/**
 * Runs `work` in one transaction that first claims the key. A concurrent request with the same key
 * blocks on the primary key until the first commits, then replays its stored answer; if the first
 * rolls back, the second does the work itself. Reusing a key for a different body is MSG-050 and
 * changes nothing. Without a key, the work simply runs in a transaction.
 */
export async function withIdempotencyKey<T>(
  db: Db,
  accountId: string,
  key: string | undefined,
  hash: string,
  work: (tx: Tx) => Promise<{ statusCode: number; body: T }>
): Promise<Answer<T>> {
  return await db.transaction().execute(async (tx) => {
    if (key === undefined) return { ...(await work(tx)), replayed: false }
    const claimed = await tx
      .insertInto('idempotency_keys')
      .values({ account_id: accountId, key, request_hash: hash, status_code: null, response: null })
      .onConflict((conflict) => conflict.columns(['account_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst()
    if (!claimed) {
      const stored = await tx
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .executeTakeFirstOrThrow()
      if (stored.request_hash !== hash)
        throw new ApiError('MSG-050', `Idempotency-Key ${key} was used with a different request body`)
      return { statusCode: stored.status_code!, body: stored.response as T, replayed: true }
    }
    const answer = await work(tx)
    await tx
      .updateTable('idempotency_keys')
      .set({ status_code: answer.statusCode, response: JSON.stringify(answer.body) })
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .execute()
    return { ...answer, replayed: false }
  })
}

/** Forgets keys older than IDEMPOTENCY_KEY_HOURS; answers how many. */
export async function purgeIdempotencyKeys(db: Db): Promise<number> {
  const deleted = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_KEY_HOURS})`)
    .executeTakeFirst()
  return Number(deleted.numDeletedRows)
}
