import { randomBytes } from 'node:crypto'
import type { Db } from '../../db/database.ts'

/**
 * The token signing secret when PARLEY_JWT_SECRET is not set: created once in the database, so every
 * instance sharing the database signs and verifies with the same key, and restarts keep tokens valid.
 */
export async function storedSigningSecret(db: Db): Promise<string> {
  await db
    .insertInto('instance_settings')
    .values({ key: 'jwt_secret', value: randomBytes(48).toString('base64url') })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute()
  const { value } = await db
    .selectFrom('instance_settings')
    .select('value')
    .where('key', '=', 'jwt_secret')
    .executeTakeFirstOrThrow()
  return value
}
