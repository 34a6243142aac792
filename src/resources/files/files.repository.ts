import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { SharedFileRow } from './files.table.ts'

export async function insertSharedFile(
  db: DbOrTx,
  accountId: string,
  file: { token: string; contentType: string; bytes: Buffer; expiresAt: Date },
  actor: ActorShape
): Promise<void> {
  await db
    .insertInto('shared_files')
    .values({
      token: file.token,
      account_id: accountId,
      content_type: file.contentType,
      bytes: file.bytes,
      size: file.bytes.length,
      expires_at: file.expiresAt,
      created_by: actorJson(actor)
    })
    .execute()
}

/**
 * A shared file by its link's token. The public link carries no account: the token, 256 random
 * bits, is what entitles a carrier to the file.
 */
export async function findSharedFile(db: DbOrTx, token: string): Promise<SharedFileRow | undefined> {
  return await db.selectFrom('shared_files').selectAll().where('token', '=', token).executeTakeFirst()
}

/** Removes the bytes of every expired file, of every account: housekeeping. */
export async function purgeExpiredFiles(db: DbOrTx, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('shared_files').where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
