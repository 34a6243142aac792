import { sql, type Kysely } from 'kysely'

// The shared inbox: a conversation's lock (who is replying, until when), the away replies already
// sent (one per conversation and away period), and a notification per statement that writes events,
// so every instance's live streams hear of them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('lock_user_id', 'text', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('lock_expires_at', 'timestamptz')
    .addColumn('lock_taken_at', 'timestamptz')
    .execute()

  await db.schema
    .createTable('away_replies')
    .addColumn('conversation_id', 'text', (col) => col.notNull().references('conversations.id').onDelete('cascade'))
    // The away period's start, in the group's local time: two inbound messages of one period agree on it.
    .addColumn('period', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('away_replies_pkey', ['conversation_id', 'period'])
    .execute()

  // One notification per statement, not per row: an import writes thousands of events in one.
  // NOTIFY is delivered at commit, so a listener reading the range sees the rows.
  await sql`
    CREATE FUNCTION notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      batch record;
    BEGIN
      FOR batch IN SELECT account_id, min(seq) AS first_seq, max(seq) AS last_seq FROM inserted GROUP BY account_id LOOP
        PERFORM pg_notify('parley_events', json_build_object('accountId', batch.account_id, 'from', batch.first_seq, 'to', batch.last_seq)::text);
      END LOOP;
      RETURN NULL;
    END
    $$
  `.execute(db)
  await sql`
    CREATE TRIGGER events_notify AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify_events()
  `.execute(db)
  // Replays after Last-Event-ID read one account's events in order of recording.
  await sql`CREATE INDEX events_account_seq_idx ON events (account_id, seq)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX events_account_seq_idx`.execute(db)
  await sql`DROP TRIGGER events_notify ON events`.execute(db)
  await sql`DROP FUNCTION notify_events()`.execute(db)
  await db.schema.dropTable('away_replies').execute()
  await db.schema
    .alterTable('conversations')
    .dropColumn('lock_user_id')
    .dropColumn('lock_expires_at')
    .dropColumn('lock_taken_at')
    .execute()
}
