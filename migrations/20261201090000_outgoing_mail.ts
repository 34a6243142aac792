import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  // Every mail Parley writes, kept whether or not it leaves: with SMTP it is queued here in the
  // transaction of the change that causes it and sent by a task (pending → sent, or failed once the
  // retries run out); without SMTP it is `kept` for an Administrator to read through the API.
  await db.schema
    .createTable('outgoing_mail')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('text_body', 'text', (col) => col.notNull())
    .addColumn('html_body', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status IN ('kept', 'pending', 'sent', 'failed')`))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute()
  await sql`CREATE INDEX outgoing_mail_account_idx ON outgoing_mail (account_id, created_at DESC, id DESC)`.execute(db)

  // Whether a user is emailed when someone else assigns them a conversation. On by default: being
  // handed a conversation is work waiting for that person, and a mail is how they learn of it away
  // from the inbox; anyone who would rather not turns it off for themselves.
  await db.schema
    .alterTable('users')
    .addColumn('notify_on_assignment', 'boolean', (col) => col.notNull().defaultTo(true))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('notify_on_assignment').execute()
  await db.schema.dropTable('outgoing_mail').execute()
}
