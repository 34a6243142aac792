import { sql, type Kysely } from 'kysely'

// Groups, senders and group membership. The team rules live here as constraints, so two requests
// racing cannot both break one: the second fails on the index and the API answers 409.
export async function up(db: Kysely<any>): Promise<void> {
  // Lets group_users and senders reference a user or group of the SAME account (composite keys).
  await sql`ALTER TABLE users ADD CONSTRAINT users_account_id_key UNIQUE (account_id, id)`.execute(db)

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('api_code', 'text', (col) => col.notNull())
    .addColumn('color', 'text')
    .addColumn('call_forwarding', 'text')
    .addColumn('is_default', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('tags', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn('office_hours', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    .addUniqueConstraint('groups_account_id_key', ['account_id', 'id'])
    .execute()
  await sql`CREATE UNIQUE INDEX groups_account_api_code_key ON groups (account_id, lower(api_code))`.execute(db)
  await sql`CREATE UNIQUE INDEX groups_account_default_key ON groups (account_id) WHERE is_default`.execute(db)
  await sql`CREATE INDEX groups_account_created_idx ON groups (account_id, created_at, id)`.execute(db)

  await db.schema
    .createTable('group_users')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('group_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addPrimaryKeyConstraint('group_users_pkey', ['group_id', 'user_id'])
    .addForeignKeyConstraint(
      'group_users_group_fkey',
      ['account_id', 'group_id'],
      'groups',
      ['account_id', 'id'],
      (fk) => fk.onDelete('cascade')
    )
    .addForeignKeyConstraint('group_users_user_fkey', ['account_id', 'user_id'], 'users', ['account_id', 'id'], (fk) =>
      fk.onDelete('cascade')
    )
    .execute()
  await sql`CREATE INDEX group_users_user_idx ON group_users (user_id)`.execute(db)

  await db.schema
    .createTable('senders')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('number', 'text', (col) => col.notNull())
    .addColumn('country', 'text')
    .addColumn('dialling_code', 'text', (col) => col.notNull().check(sql`dialling_code ~ '^\\+[0-9]{1,3}$'`))
    .addColumn('type', 'text', (col) =>
      col.notNull().check(sql`type IN ('local', 'tollfree', 'shortcode', 'alphanumeric')`)
    )
    .addColumn('capabilities', sql`text[]`, (col) =>
      col.notNull().check(sql`cardinality(capabilities) > 0 AND capabilities <@ ARRAY['SMS', 'MMS']`)
    )
    .addColumn('carrier', 'text', (col) => col.notNull().defaultTo('sandbox'))
    .addColumn('throughput', 'double precision', (col) => col.check(sql`throughput > 0`))
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status IN ('unverified', 'verified', 'pending', 'active', 'rejected')`)
    )
    .addColumn('group_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    // Senders are soft-deleted: messages sent from them keep pointing at a real row.
    .addColumn('deleted_at', 'timestamptz')
    .addCheckConstraint('senders_deleted_not_grouped', sql`deleted_at IS NULL OR group_id IS NULL`)
    .execute()
  // Deleting a group releases its senders; SET NULL (group_id) keeps account_id (PostgreSQL 15+).
  await sql`ALTER TABLE senders ADD CONSTRAINT senders_group_fkey FOREIGN KEY (account_id, group_id)
    REFERENCES groups (account_id, id) ON DELETE SET NULL (group_id)`.execute(db)
  // Inbound messages are routed by the receiving number, so a live number belongs to one account.
  await sql`CREATE UNIQUE INDEX senders_number_key ON senders (number) WHERE deleted_at IS NULL`.execute(db)
  // A sender is in at most one group (one group_id column); a group holds one sender per dialling code.
  await sql`CREATE UNIQUE INDEX senders_group_dialling_code_key ON senders (group_id, dialling_code) WHERE group_id IS NOT NULL`.execute(
    db
  )
  await sql`CREATE INDEX senders_account_created_idx ON senders (account_id, created_at, id) WHERE deleted_at IS NULL`.execute(
    db
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['senders', 'group_users', 'groups']) {
    await db.schema.dropTable(table).execute()
  }
  await sql`ALTER TABLE users DROP CONSTRAINT users_account_id_key`.execute(db)
}
