import { sql, type Kysely } from 'kysely'

// An opt-out belongs to the phone number, not to the contact record: deleting an opted-out contact,
// or moving it to another number, must not make the number reachable again when a send, an import,
// a sync or an inbound message creates a contact for it. Triggers cover every path that deletes,
// inserts or renumbers contacts.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('remembered_opt_outs')
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('mobile', 'text', (col) => col.notNull())
    .addColumn('opted_out_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('remembered_opt_outs_pkey', ['account_id', 'mobile'])
    .execute()

  await sql`
    CREATE FUNCTION remember_opt_out() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Deleting the account cascades to its contacts: nothing is left to remember them for.
      IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = OLD.account_id) THEN
        RETURN NULL;
      END IF;
      INSERT INTO remembered_opt_outs (account_id, mobile, opted_out_at)
      VALUES (OLD.account_id, OLD.mobile, OLD.opted_out_at)
      ON CONFLICT (account_id, mobile) DO UPDATE SET opted_out_at = EXCLUDED.opted_out_at;
      RETURN NULL;
    END $$`.execute(db)
  await sql`
    CREATE TRIGGER contacts_remember_opt_out AFTER DELETE ON contacts
    FOR EACH ROW WHEN (OLD.opted_out_at IS NOT NULL) EXECUTE FUNCTION remember_opt_out()`.execute(db)
  await sql`
    CREATE TRIGGER contacts_remember_opt_out_on_renumber AFTER UPDATE OF mobile ON contacts
    FOR EACH ROW WHEN (OLD.opted_out_at IS NOT NULL AND OLD.mobile <> NEW.mobile) EXECUTE FUNCTION remember_opt_out()`.execute(
    db
  )

  // The contact taking the number takes its opt-out too. On an upsert that meets an existing
  // contact this fires as well, but a number with a live contact has no remembered opt-out.
  await sql`
    CREATE FUNCTION restore_opt_out() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE remembered timestamptz;
    BEGIN
      DELETE FROM remembered_opt_outs WHERE account_id = NEW.account_id AND mobile = NEW.mobile
      RETURNING opted_out_at INTO remembered;
      IF remembered IS NOT NULL THEN
        NEW.opted_out_at := coalesce(NEW.opted_out_at, remembered);
      END IF;
      RETURN NEW;
    END $$`.execute(db)
  await sql`
    CREATE TRIGGER contacts_restore_opt_out BEFORE INSERT ON contacts
    FOR EACH ROW EXECUTE FUNCTION restore_opt_out()`.execute(db)
  await sql`
    CREATE TRIGGER contacts_restore_opt_out_on_renumber BEFORE UPDATE OF mobile ON contacts
    FOR EACH ROW WHEN (OLD.mobile <> NEW.mobile) EXECUTE FUNCTION restore_opt_out()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of [
    'contacts_restore_opt_out',
    'contacts_restore_opt_out_on_renumber',
    'contacts_remember_opt_out',
    'contacts_remember_opt_out_on_renumber'
  ]) {
    await sql`DROP TRIGGER ${sql.id(trigger)} ON contacts`.execute(db)
  }
  await sql`DROP FUNCTION restore_opt_out()`.execute(db)
  await sql`DROP FUNCTION remember_opt_out()`.execute(db)
  await db.schema.dropTable('remembered_opt_outs').execute()
}
