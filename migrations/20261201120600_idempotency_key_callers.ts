import { sql, type Kysely } from 'kysely'

// An Idempotency-Key is the caller's own: the same key from another credential, or from another user
// through one credential, is another key. Keys stored before this have no caller and match no one
// from now on; they are forgotten within the day anyway.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('idempotency_keys')
    .addColumn('caller', 'text', (col) => col.notNull().defaultTo(''))
    .execute()
  await sql`ALTER TABLE idempotency_keys ALTER COLUMN caller DROP DEFAULT`.execute(db)
  await sql`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`.execute(db)
  await sql`ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (account_id, caller, key)`.execute(
    db
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM idempotency_keys WHERE caller <> ''`.execute(db)
  await sql`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`.execute(db)
  await sql`ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (account_id, key)`.execute(db)
  await db.schema.alterTable('idempotency_keys').dropColumn('caller').execute()
}
