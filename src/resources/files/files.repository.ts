import { sql } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { SharedFileRow } from './files.table.ts'

export async function insertSharedFile(
  tx: Tx,
  accountId: string,
  file: { token: string; contentType: string; extension: string; bytes: Buffer; expiresAt: Date },
  actor: ActorShape
): Promise<void> {
  await tx
    .insertInto('shared_files')
    .values({
      token: file.token,
      account_id: accountId,
      content_type: file.contentType,
      extension: file.extension,
      bytes: file.bytes,
      size: file.bytes.length,
      expires_at: file.expiresAt,
      created_by: actorJson(actor)
    })
    .execute()
}

/**
 * Serialises an account's uploads until the transaction ends, so two at once cannot both fit under
 * the quota by each counting without the other. An advisory lock rather than a lock on the account's
 * row, which every insert referencing the account would otherwise wait on.
 */
export async function lockAccountFiles(tx: Tx, accountId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`shared-files\n${accountId}`}, 0))`.execute(tx)
}

/** The bytes of the account's files whose links still work: what the quota counts. */
export async function storedBytes(tx: Tx, accountId: string, now = new Date()): Promise<number> {
  const row = await tx
    .selectFrom('shared_files')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('size'), sql<string>`0`).as('total'))
    .where('account_id', '=', accountId)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow()
  return Number(row.total)
}

/**
 * A shared file by its link's token, without its bytes. The public link carries no account: the
 * token, 256 random bits, is what entitles a carrier to the file.
 */
export async function findSharedFile(db: DbOrTx, token: string): Promise<SharedFileRow | undefined> {
  return await db
    .selectFrom('shared_files')
    .select(['token', 'account_id', 'content_type', 'size', 'extension', 'expires_at', 'created_at', 'created_by'])
    .where('token', '=', token)
    .executeTakeFirst()
}

/**
 * `length` bytes of a file from `offset` (0-based); undefined once the file is gone. As base64: the
 * driver takes bytea only as hex text, twice the bytes, and decoding base64 cost about half the CPU
 * of hex for 64 KiB slices (scripts/bench/file-downloads.ts).
 */
export async function readSharedFileSlice(
  db: DbOrTx,
  token: string,
  offset: number,
  length: number
): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('shared_files')
    .select(sql<string>`encode(substring(bytes from ${offset + 1} for ${length}), 'base64')`.as('slice'))
    .where('token', '=', token)
    .executeTakeFirst()
  return row ? Buffer.from(row.slice, 'base64') : undefined
}

/** Removes the bytes of every expired file, of every account: housekeeping. */
export async function purgeExpiredFiles(db: DbOrTx, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('shared_files').where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
