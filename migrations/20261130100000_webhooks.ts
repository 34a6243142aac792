import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('event_types', sql`text[]`, (col) => col.notNull())
    // Signing needs the secret itself, so it cannot be hashed; it is never answered after creation.
    .addColumn('secret', 'text', (col) => col.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'timestamptz')
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .defaultTo('active')
        .check(sql`state IN ('active', 'paused', 'disabled')`)
    )
    .addColumn('disabled_reason', 'text')
    // A worker delivering to the subscription holds it until then; a worker killed mid-delivery lets it lapse.
    .addColumn('lease_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    .addUniqueConstraint('webhook_subscriptions_account_url_key', ['account_id', 'url'])
    .execute()

  await db.schema
    .createTable('webhook_deliveries')
    // Its order is the order of delivery within a subscription: outbox order, then replays as asked.
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('subscription_id', 'text', (col) =>
      col.notNull().references('webhook_subscriptions.id').onDelete('cascade')
    )
    .addColumn('event_id', 'text', (col) => col.notNull().references('events.id').onDelete('cascade'))
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .defaultTo('pending')
        .check(sql`state IN ('pending', 'delivered', 'failed')`)
    )
    .addColumn('replay', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('last_status', 'integer')
    .addColumn('last_latency_ms', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  // The head of each subscription's queue, found without reading what was already delivered.
  await sql`CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (subscription_id, id) WHERE state = 'pending'`.execute(
    db
  )
  await sql`CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id)`.execute(db)
  await sql`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id)`.execute(db)
  // Replay by time range.
  await sql`CREATE INDEX events_account_created_idx ON events (account_id, created_at, seq)`.execute(db)

  // Fan-out in the transaction that records the events: a delivery exists if and only if its event
  // was committed, with no cursor to keep over an outbox whose sequence numbers commit out of order.
  // One statement per insert into events, so a 10,000-contact import joins once, not 10,000 times.
  await sql`
    CREATE FUNCTION webhook_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO webhook_deliveries (subscription_id, event_id)
      SELECT s.id, e.id
      FROM new_events e
      JOIN webhook_subscriptions s
        ON s.account_id = e.account_id AND e.event_type = ANY (s.event_types) AND s.state <> 'disabled'
      ORDER BY e.seq, s.id;
      -- Wakes idle delivery workers at commit, instead of at their next poll.
      IF FOUND THEN
        PERFORM pg_notify('webhook_deliveries', '');
      END IF;
      RETURN NULL;
    END
    $$
  `.execute(db)
  await sql`
    CREATE TRIGGER events_webhook_fan_out AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_fan_out()
  `.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER events_webhook_fan_out ON events`.execute(db)
  await sql`DROP FUNCTION webhook_fan_out()`.execute(db)
  await sql`DROP INDEX events_account_created_idx`.execute(db)
  await db.schema.dropTable('webhook_deliveries').execute()
  await db.schema.dropTable('webhook_subscriptions').execute()
}
