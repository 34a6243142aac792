import { sql, type Kysely } from 'kysely'

const audit = ['created_at', 'created_by', 'updated_at', 'updated_by'] as const

export async function up(db: Kysely<any>): Promise<void> {
  // Trigram indexes make the partial, case-insensitive list filters (ILIKE '%…%') index scans.
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db)

  await db.schema
    .createTable('attribute_definitions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('type', 'text', (col) =>
      col
        .notNull()
        .defaultTo('contacts')
        .check(sql`type IN ('contacts')`)
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('label', 'text', (col) => col.notNull())
    .addColumn('data_type', 'text', (col) =>
      col.notNull().check(sql`data_type IN ('text', 'number', 'date', 'boolean')`)
    )
    .addColumn(audit[0], 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn(audit[1], 'jsonb', (col) => col.notNull())
    .addColumn(audit[2], 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn(audit[3], 'jsonb', (col) => col.notNull())
    .execute()
  await sql`CREATE UNIQUE INDEX attribute_definitions_name_key ON attribute_definitions (account_id, type, lower(name))`.execute(
    db
  )

  // append's tag rule: the union of both lists; a tag sent again takes the new visibility.
  await sql`
    CREATE FUNCTION merge_contact_tags(existing jsonb, added jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT coalesce(jsonb_agg(latest.value ORDER BY latest.ord), '[]'::jsonb)
      FROM (
        SELECT DISTINCT ON (e.value->>'tag') e.value, e.ord
        FROM jsonb_array_elements(existing || added) WITH ORDINALITY AS e(value, ord)
        ORDER BY e.value->>'tag', e.ord DESC
      ) AS latest
    $$`.execute(db)

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('mobile', 'text', (col) => col.notNull().check(sql`mobile ~ '^\\+[1-9][0-9]{1,14}$'`))
    .addColumn('country', 'text', (col) => col.check(sql`country ~ '^[A-Z]{2}$'`))
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('tags', 'jsonb', (col) =>
      col
        .notNull()
        .defaultTo(sql`'[]'::jsonb`)
        .check(sql`jsonb_typeof(tags) = 'array'`)
    )
    .addColumn('attributes', 'jsonb', (col) =>
      col
        .notNull()
        .defaultTo(sql`'{}'::jsonb`)
        .check(sql`jsonb_typeof(attributes) = 'object'`)
    )
    .addColumn('assigned_user_id', 'text', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('opted_out_at', 'timestamptz')
    .addColumn('opt_in_at', 'timestamptz')
    .addColumn('blocked_at', 'timestamptz')
    .addColumn('last_import_id', 'text')
    .addColumn(audit[0], 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn(audit[1], 'jsonb', (col) => col.notNull())
    .addColumn(audit[2], 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn(audit[3], 'jsonb', (col) => col.notNull())
    .execute()
  // One contact per number per account: concurrent creates of one number meet on this index.
  await sql`CREATE UNIQUE INDEX contacts_account_mobile_key ON contacts (account_id, mobile)`.execute(db)
  await sql`CREATE INDEX contacts_account_created_idx ON contacts (account_id, created_at, id)`.execute(db)
  for (const column of ['first_name', 'last_name', 'email']) {
    await sql`CREATE INDEX ${sql.id(`contacts_${column}_trgm_idx`)} ON contacts USING gin (${sql.id(column)} gin_trgm_ops)`.execute(
      db
    )
  }
  await sql`CREATE INDEX contacts_mobile_trgm_idx ON contacts USING gin (mobile gin_trgm_ops)`.execute(db)
  await sql`CREATE INDEX contacts_tags_idx ON contacts USING gin (tags jsonb_path_ops)`.execute(db)
  await sql`CREATE INDEX contacts_unreachable_idx ON contacts (account_id, id) WHERE opted_out_at IS NOT NULL OR blocked_at IS NOT NULL`.execute(
    db
  )
  await sql`CREATE INDEX contacts_assigned_user_idx ON contacts (assigned_user_id) WHERE assigned_user_id IS NOT NULL`.execute(
    db
  )

  // Unfiltered lists need the account's exact contact count; COUNT(*) over a million rows costs
  // 55-80 ms, a sum over these rows well under 1 ms. Statement triggers keep it exact (a rolled-back
  // write rolls back its delta) and add one row per statement, not per contact. Eight slots per
  // account, picked by backend, keep concurrent writers of one account off a single hot row.
  await db.schema
    .createTable('contact_counts')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('slot', 'smallint', (col) => col.notNull())
    .addColumn('total', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('contact_counts_pkey', ['account_id', 'slot'])
    .execute()
  await sql`
    CREATE FUNCTION count_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO contact_counts (account_id, slot, total)
        SELECT account_id, pg_backend_pid() % 8, count(*) FROM new_rows GROUP BY account_id
        ON CONFLICT (account_id, slot) DO UPDATE SET total = contact_counts.total + excluded.total;
      ELSE
        INSERT INTO contact_counts (account_id, slot, total)
        SELECT account_id, pg_backend_pid() % 8, -count(*) FROM old_rows GROUP BY account_id
        ON CONFLICT (account_id, slot) DO UPDATE SET total = contact_counts.total + excluded.total;
      END IF;
      RETURN NULL;
    END $$`.execute(db)
  await sql`CREATE TRIGGER contacts_count_inserts AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_contacts()`.execute(
    db
  )
  await sql`CREATE TRIGGER contacts_count_deletes AFTER DELETE ON contacts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_contacts()`.execute(
    db
  )

  await db.schema
    .createTable('contact_integration_links')
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('integration', 'text', (col) => col.notNull())
    .addColumn('external_id', 'text', (col) => col.notNull())
    .addColumn('contact_id', 'text', (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contact_integration_links_pkey', ['account_id', 'integration', 'external_id'])
    // A number (a contact) is synced with at most one record of each integration.
    .addUniqueConstraint('contact_integration_links_contact_key', ['contact_id', 'integration'])
    .execute()

  // The outbox. Its only index is the key: the webhooks issue adds the one its delivery query needs,
  // and every index here is paid by each contact an import writes.
  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // Insertion order: events of one transaction share created_at, and ids are random within a second.
    .addColumn('seq', 'bigint', (col) => col.notNull().generatedAlwaysAsIdentity())
    .execute()

  await db.schema
    .createTable('contact_imports')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status IN ('receiving', 'queued', 'running', 'completed', 'failed')`)
    )
    .addColumn('options', 'jsonb', (col) => col.notNull())
    .addColumn('bytes', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('total', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('submitted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('inserted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('errors', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('failure', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute()
  await sql`CREATE INDEX contact_imports_account_idx ON contact_imports (account_id, created_at)`.execute(db)

  // Large uploads wait here for a worker: any instance may run the job, so the file cannot stay on
  // the local disk of the instance that received it.
  await db.schema
    .createTable('contact_import_chunks')
    .addColumn('import_id', 'text', (col) => col.notNull().references('contact_imports.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('data', 'bytea', (col) => col.notNull())
    .addPrimaryKeyConstraint('contact_import_chunks_pkey', ['import_id', 'seq'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'contact_import_chunks',
    'contact_imports',
    'events',
    'contact_integration_links',
    'contact_counts',
    'contacts',
    'attribute_definitions'
  ]) {
    await db.schema.dropTable(table).execute()
  }
  await sql`DROP FUNCTION merge_contact_tags(jsonb, jsonb)`.execute(db)
  await sql`DROP FUNCTION count_contacts()`.execute(db)
}
