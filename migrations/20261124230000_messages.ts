import { sql, type Kysely } from 'kysely'

// Conversations, messages, the send jobs behind POST /messages, Idempotency-Key answers and the
// per-sender throughput slots. Invariants live here as constraints, so racing requests and
// workers meet on an index instead of each trusting its own read.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('sender_id', 'text', (col) => col.notNull().references('senders.id'))
    // The inbox it belongs to: the sender's group when the conversation started.
    .addColumn('group_id', 'text', (col) => col.references('groups.id').onDelete('set null'))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('last_message_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_inbound_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'jsonb', (col) => col.notNull())
    .execute()
  // One open conversation per contact and sender: creation is INSERT … ON CONFLICT on this index.
  await sql`CREATE UNIQUE INDEX conversations_open_key ON conversations (account_id, contact_id, sender_id) WHERE closed_at IS NULL`.execute(
    db
  )
  await sql`CREATE INDEX conversations_group_idx ON conversations (account_id, group_id, last_message_at DESC, id DESC)`.execute(
    db
  )
  await sql`CREATE INDEX conversations_contact_idx ON conversations (account_id, contact_id)`.execute(db)

  // Unread is derived: last_inbound_at > read_at of the member (no fan-out writes per inbound message).
  await db.schema
    .createTable('conversation_reads')
    .addColumn('conversation_id', 'text', (col) => col.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('read_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('conversation_reads_pkey', ['conversation_id', 'user_id'])
    .execute()

  await db.schema
    .createTable('send_jobs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('group_id', 'text', (col) => col.references('groups.id').onDelete('set null'))
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status IN ('expanding', 'completed', 'failed')`))
    .addColumn('requested', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('valid', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('invalid', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('estimated_price', 'numeric', (col) => col.notNull().defaultTo(0))
    // What the background expansion still has to do, and how far it got (the last contact id).
    .addColumn('request', 'jsonb', (col) => col.notNull())
    .addColumn('cursor', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (col) => col.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('sender_id', 'text', (col) => col.notNull().references('senders.id'))
    .addColumn('group_id', 'text', (col) => col.references('groups.id').onDelete('set null'))
    .addColumn('job_id', 'text', (col) => col.references('send_jobs.id').onDelete('set null'))
    .addColumn('user_id', 'text')
    .addColumn('outgoing', 'boolean', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col
        .notNull()
        .check(sql`status IN ('scheduled', 'queued', 'sent', 'delivered', 'undelivered', 'failed', 'received')`)
    )
    .addColumn('type', 'text', (col) => col.notNull().check(sql`type IN ('SMS', 'MMS')`))
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('template', 'text')
    .addColumn('media', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('segments', 'integer', (col) => col.notNull().check(sql`segments >= 1`))
    .addColumn('encoding', 'text', (col) => col.notNull().check(sql`encoding IN ('GSM-7', 'UCS-2')`))
    .addColumn('price', 'numeric', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`price >= 0`)
    )
    .addColumn('send_at', 'timestamptz')
    .addColumn('queued_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .addColumn('received_at', 'timestamptz')
    .addColumn('error_code', 'text')
    .addColumn('error_description', 'text')
    .addColumn('carrier', 'text', (col) => col.notNull())
    .addColumn('carrier_message_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // A snapshot of who sent it, so the history keeps the name after the user is deleted.
    .addColumn('created_by', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('messages_direction_status', sql`outgoing = (status <> 'received')`)
    .addCheckConstraint('messages_error_pair', sql`(error_code IS NULL) = (error_description IS NULL)`)
    .execute()
  // Status reports find their message by the carrier's id.
  await sql`CREATE UNIQUE INDEX messages_carrier_message_key ON messages (carrier, carrier_message_id) WHERE carrier_message_id IS NOT NULL`.execute(
    db
  )
  // One per list filter, each in the list's order (newest first).
  await sql`CREATE INDEX messages_account_idx ON messages (account_id, created_at DESC, id DESC)`.execute(db)
  await sql`CREATE INDEX messages_contact_idx ON messages (account_id, contact_id, created_at DESC, id DESC)`.execute(
    db
  )
  await sql`CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at DESC, id DESC)`.execute(db)
  await sql`CREATE INDEX messages_group_idx ON messages (account_id, group_id, created_at DESC, id DESC)`.execute(db)
  await sql`CREATE INDEX messages_job_idx ON messages (job_id, created_at DESC, id DESC) WHERE job_id IS NOT NULL`.execute(
    db
  )
  await sql`CREATE INDEX messages_status_idx ON messages (account_id, status, created_at DESC, id DESC)`.execute(db)

  // Stripe's semantics: one answer per key and account, kept at least 24 hours.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'text', (col) => col.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    // Written in the same transaction as the key, so a committed row always has them.
    .addColumn('status_code', 'integer')
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['account_id', 'key'])
    .execute()
  await sql`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`.execute(db)

  // The next free send slot of each throughput-capped sender, shared by every worker instance.
  await db.schema
    .createTable('sender_throttles')
    .addColumn('sender_id', 'text', (col) => col.primaryKey().references('senders.id').onDelete('cascade'))
    .addColumn('next_slot', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'sender_throttles',
    'idempotency_keys',
    'messages',
    'send_jobs',
    'conversation_reads',
    'conversations'
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
