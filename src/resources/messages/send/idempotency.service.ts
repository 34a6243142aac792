import { createHash } from 'node:crypto'
import type { Db, Tx } from '../../../db/database.ts'
import { ApiError } from '../../../errors/api-error.ts'
import { claimIdempotencyKey, findIdempotencyKey, storeIdempotentAnswer } from './idempotency.repository.ts'

export interface Answer<T> {
  statusCode: number
  body: T
  /** True when the answer is the stored one of an earlier request with the same key. */
  replayed: boolean
}

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
    if (!(await claimIdempotencyKey(tx, accountId, key, hash))) {
      const stored = await findIdempotencyKey(tx, accountId, key)
      if (stored.request_hash !== hash)
        throw new ApiError('MSG-050', `Idempotency-Key ${key} was used with a different request body`)
      return { statusCode: stored.status_code!, body: stored.response as T, replayed: true }
    }
    const answer = await work(tx)
    await storeIdempotentAnswer(tx, accountId, key, answer)
    return { ...answer, replayed: false }
  })
}
