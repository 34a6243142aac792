import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  // Downloads read a file in slices (substring) so no instance holds a whole file in memory. Stored
  // uncompressed out of line, a slice reads only its own TOAST chunks instead of decompressing the
  // whole value first; MMS media (JPEG, PNG, MP4, PDF) is compressed already, so little is lost.
  await sql`ALTER TABLE shared_files ALTER COLUMN bytes SET STORAGE EXTERNAL`.execute(db)
  // The extension the file's bytes were recognised as, for the download's filename.
  await db.schema
    .alterTable('shared_files')
    .addColumn('extension', 'text', (col) => col.notNull().defaultTo('bin'))
    .execute()
  // An account's unexpired bytes, summed under the quota's lock on every upload.
  await sql`CREATE INDEX shared_files_account_expires_idx ON shared_files (account_id, expires_at) INCLUDE (size)`.execute(
    db
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX shared_files_account_expires_idx`.execute(db)
  await db.schema.alterTable('shared_files').dropColumn('extension').execute()
  await sql`ALTER TABLE shared_files ALTER COLUMN bytes SET STORAGE EXTENDED`.execute(db)
}
