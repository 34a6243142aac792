import { sql } from 'kysely'
import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { ImportOptions, ImportTally } from './csv-import.ts'
import type { ContactImportRow } from './contacts.table.ts'

export async function insertImport(
  db: DbOrTx,
  accountId: string,
  id: string,
  options: ImportOptions,
  actor: ActorShape
): Promise<void> {
  await db
    .insertInto('contact_imports')
    .values({
      id,
      account_id: accountId,
      status: 'receiving',
      options: JSON.stringify(options),
      created_by: actorJson(actor)
    })
    .execute()
}

export async function appendChunk(db: DbOrTx, importId: string, seq: number, data: Buffer): Promise<void> {
  await db.insertInto('contact_import_chunks').values({ import_id: importId, seq, data }).execute()
}

/** The staged file, one chunk in memory at a time. */
export async function* readChunks(db: DbOrTx, importId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const chunk = await db
      .selectFrom('contact_import_chunks')
      .select('data')
      .where('import_id', '=', importId)
      .where('seq', '=', seq)
      .executeTakeFirst()
    if (!chunk) return
    yield chunk.data
  }
}

// An upload still receiving after this long was cut off by a crash: the client never got its id.
const ABANDONED_UPLOAD_HOURS = 24

/** Removes abandoned uploads and their staged chunks; answers how many. */
export async function purgeAbandonedUploads(db: DbOrTx): Promise<number> {
  const deleted = await db
    .deleteFrom('contact_imports')
    .where('status', '=', 'receiving')
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${ABANDONED_UPLOAD_HOURS})`)
    .executeTakeFirst()
  return Number(deleted.numDeletedRows)
}

export async function markQueued(
  db: DbOrTx,
  accountId: string,
  importId: string,
  bytes: number,
  total: number
): Promise<void> {
  await db
    .updateTable('contact_imports')
    .set({ status: 'queued', bytes, total })
    .where('account_id', '=', accountId)
    .where('id', '=', importId)
    .execute()
}

export async function findImport(
  db: DbOrTx,
  accountId: string,
  importId: string
): Promise<ContactImportRow | undefined> {
  return await db
    .selectFrom('contact_imports')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', importId)
    .executeTakeFirst()
}

export async function deleteImport(db: DbOrTx, accountId: string, importId: string): Promise<void> {
  await db.deleteFrom('contact_imports').where('account_id', '=', accountId).where('id', '=', importId).execute()
}

export async function markRunning(db: DbOrTx, accountId: string, importId: string): Promise<void> {
  await db
    .updateTable('contact_imports')
    .set({
      status: 'running',
      started_at: sql<Date>`coalesce(started_at, now())`,
      submitted: 0,
      inserted: 0,
      updated: 0,
      failed: 0,
      errors: '[]'
    })
    .where('account_id', '=', accountId)
    .where('id', '=', importId)
    .execute()
}

const counts = (tally: ImportTally) => ({
  submitted: tally.submitted,
  inserted: tally.inserted,
  updated: tally.updated,
  failed: tally.failed,
  errors: JSON.stringify(tally.errors)
})

export async function saveProgress(db: DbOrTx, accountId: string, importId: string, tally: ImportTally): Promise<void> {
  await db
    .updateTable('contact_imports')
    .set(counts(tally))
    .where('account_id', '=', accountId)
    .where('id', '=', importId)
    .execute()
}

/** Final state; the staged file is no longer needed either way. */
export async function finishImport(
  db: DbOrTx,
  accountId: string,
  importId: string,
  outcome: { tally: ImportTally } | { failure: string }
): Promise<void> {
  await db
    .updateTable('contact_imports')
    .set({
      ...('tally' in outcome
        ? { status: 'completed' as const, ...counts(outcome.tally) }
        : { status: 'failed' as const, failure: outcome.failure }),
      finished_at: sql<Date>`now()`
    })
    .where('account_id', '=', accountId)
    .where('id', '=', importId)
    .execute()
  await db.deleteFrom('contact_import_chunks').where('import_id', '=', importId).execute()
}
