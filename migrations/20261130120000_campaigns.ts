import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lists')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull().check(sql`length(name) BETWEEN 1 AND 200`))
    // NULL for a static list (its members are rows of list_members); the filter for a dynamic one.
    .addColumn('filter', 'jsonb')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    .execute()
  await sql`CREATE INDEX lists_account_created_idx ON lists (account_id, created_at, id)`.execute(db)

  await db.schema
    .createTable('list_members')
    .addColumn('list_id', 'text', (col) => col.notNull().references('lists.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('added_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('list_members_pkey', ['list_id', 'contact_id'])
    .execute()
  await sql`CREATE INDEX list_members_contact_idx ON list_members (contact_id)`.execute(db)

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull().check(sql`length(name) BETWEEN 1 AND 200`))
    .addColumn('description', 'text')
    .addColumn('trigger_code', 'text', (col) => col.notNull().check(sql`trigger_code IN ('M', 'S', 'FU')`))
    .addColumn('filters', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('template', 'text')
    .addColumn('template_id', 'text', (col) => col.references('templates.id').onDelete('set null'))
    .addColumn('media', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('group_ref', 'text')
    .addColumn('schedule', 'jsonb')
    .addColumn('reporting', 'jsonb')
    .addColumn('field_mappings', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('paused', 'boolean', (col) => col.notNull().defaultTo(false))
    // The next scheduled run: the scheduler claims a tick by moving it forward in one conditional update.
    .addColumn('next_run_at', 'timestamptz')
    .addColumn('last_job_id', 'text', (col) => col.references('send_jobs.id').onDelete('set null'))
    // Who runs a scheduled or uploaded campaign: the principal that last saved it.
    .addColumn('run_as', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    .execute()
  await sql`CREATE INDEX campaigns_account_created_idx ON campaigns (account_id, created_at, id)`.execute(db)
  await sql`CREATE INDEX campaigns_due_idx ON campaigns (next_run_at) WHERE trigger_code = 'S' AND NOT paused`.execute(
    db
  )

  await db.schema
    .createTable('shared_files')
    .addColumn('token', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (col) => col.notNull())
    .addColumn('bytes', 'bytea', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .execute()
  await sql`CREATE INDEX shared_files_expires_idx ON shared_files (expires_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('shared_files').execute()
  await db.schema.dropTable('campaigns').execute()
  await db.schema.dropTable('list_members').execute()
  await db.schema.dropTable('lists').execute()
}
