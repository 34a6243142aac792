import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('instance_settings')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('first_name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('role', 'text', (col) =>
      col.notNull().check(sql`role IN ('Administrator', 'Campaign Manager', 'Sender', 'Read Only')`)
    )
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    .addColumn('deleted_at', 'timestamptz')
    .execute()
  // One live user per email and account; a deleted user's email can be used again.
  await sql`CREATE UNIQUE INDEX users_account_email_key ON users (account_id, lower(email)) WHERE deleted_at IS NULL`.execute(
    db
  )
  await sql`CREATE INDEX users_account_created_idx ON users (account_id, created_at, id)`.execute(db)

  await db.schema
    .createTable('api_credentials')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (col) => col.references('users.id'))
    .addColumn('client_id', 'text', (col) => col.notNull().unique())
    .addColumn('secret_hash', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute()
  await sql`CREATE INDEX api_credentials_account_idx ON api_credentials (account_id, created_at, id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['api_credentials', 'users', 'accounts', 'instance_settings']) {
    await db.schema.dropTable(table).execute()
  }
}
