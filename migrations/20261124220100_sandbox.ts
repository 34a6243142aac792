import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  // What the sandbox carrier was asked to send: one row per message (idempotency key), however
  // often the pipeline retried it.
  await db.schema
    .createTable('sandbox_messages')
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'text', (col) => col.notNull())
    .addColumn('carrier_message_id', 'text', (col) => col.notNull().unique())
    .addColumn('from_number', 'text', (col) => col.notNull())
    .addColumn('to_number', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull().check(sql`type IN ('SMS', 'MMS')`))
    .addColumn('media', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('segments', 'integer', (col) => col.notNull().check(sql`segments >= 1`))
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome IN ('accepted', 'rejected', 'deferred')`))
    .addColumn('delivery_status', 'text', (col) => col.check(sql`delivery_status IN ('delivered', 'undelivered')`))
    .addColumn('attempts', 'integer', (col) =>
      col
        .notNull()
        .defaultTo(1)
        .check(sql`attempts >= 1`)
    )
    .addColumn('first_attempt_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_attempt_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sandbox_messages_pkey', ['account_id', 'idempotency_key'])
    .addCheckConstraint('sandbox_messages_delivery_check', sql`(outcome = 'rejected') = (delivery_status IS NULL)`)
    .execute()
  await sql`CREATE INDEX sandbox_messages_account_idx ON sandbox_messages (account_id, first_attempt_at, carrier_message_id)`.execute(
    db
  )
  await sql`CREATE INDEX sandbox_messages_to_idx ON sandbox_messages (account_id, to_number, first_attempt_at)`.execute(
    db
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sandbox_messages').execute()
}
