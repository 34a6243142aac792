import { createHash } from 'node:crypto'
import type { Db, Tx } from '../../../db/database.ts'
import { ApiError } from '../../../errors/api-error.ts'
import type { Principal } from '../../../shared/principal.ts'
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  storeIdempotentAnswer,
  type KeyScope
} from './idempotency.repository.ts'

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
 * A key belongs to whoever used it: the credential, and the user when acting as one. Another caller
 * with the same key and body makes a request of its own, answered by what it may see and do, never
 * the first caller's stored answer (test/resources/messages-idempotency.test.ts). Treated as a fresh
 * request rather than refused, as another account's use of a key is: refusing would tell a caller
 * that someone else used the key, and would fail independent clients whose keys happen to collide.
 */
function scopeOf(principal: Principal): KeyScope {
  return {
    accountId: principal.accountId,
    caller: principal.user ? `${principal.credentialId} ${principal.user.id}` : principal.credentialId
  }
}

/**
 * Runs `work` in one transaction that first claims the key. A concurrent request with the same key
 * blocks on the primary key until the first commits, then replays its stored answer; if the first
 * rolls back, the second does the work itself. Reusing a key for a different body is MSG-050 and
 * changes nothing. Without a key, the work simply runs in a transaction.
 */
export async function withIdempotencyKey<T>(
  db: Db,
  principal: Principal,
  key: string | undefined,
  hash: string,
  work: (tx: Tx) => Promise<{ statusCode: number; body: T }>
): Promise<Answer<T>> {
  return await db.transaction().execute(async (tx) => {
    if (key === undefined) return { ...(await work(tx)), replayed: false }
    const scope = scopeOf(principal)
    if (!(await claimIdempotencyKey(tx, scope, key, hash))) {
      const stored = await findIdempotencyKey(tx, scope, key)
      if (stored.request_hash !== hash)
        throw new ApiError('MSG-050', `Idempotency-Key ${key} was used with a different request body`)
      return { statusCode: stored.status_code!, body: stored.response as T, replayed: true }
    }
    const answer = await work(tx)
    await storeIdempotentAnswer(tx, scope, key, answer)
    return { ...answer, replayed: false }
  })
}
