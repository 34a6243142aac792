import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'

/**
 * Leases up to `limit` active subscriptions whose oldest pending delivery is due and which no
 * worker holds. SKIP LOCKED lets instances claim side by side; the lease (not a transaction held
 * open over HTTP) keeps each subscription to one delivery in flight, and lapses if its worker dies.
 */
export async function claimSubscriptions(db: Db, limit: number, leaseUntil: Date): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    UPDATE webhook_subscriptions AS s SET lease_until = ${leaseUntil}
    WHERE s.id IN (
      SELECT c.id FROM webhook_subscriptions c
      CROSS JOIN LATERAL (
        SELECT d.next_attempt_at FROM webhook_deliveries d
        WHERE d.subscription_id = c.id AND d.state = 'pending'
        ORDER BY d.id LIMIT 1
      ) AS head
      WHERE c.state = 'active' AND (c.lease_until IS NULL OR c.lease_until < now()) AND head.next_attempt_at <= now()
      ORDER BY head.next_attempt_at
      LIMIT ${limit}
      FOR UPDATE OF c SKIP LOCKED
    )
    RETURNING s.id
  `.execute(db)
  return rows.map((row) => row.id)
}

/** Extends a lease this worker holds; false when it lapsed and another worker may have the subscription. */
export async function renewLease(db: Db, subscriptionId: string, held: Date, until: Date): Promise<boolean> {
  const result = await db
    .updateTable('webhook_subscriptions')
    .set({ lease_until: until })
    .where('id', '=', subscriptionId)
    .where('lease_until', '=', held)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function releaseLease(db: Db, subscriptionId: string, held: Date): Promise<void> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ lease_until: null })
    .where('id', '=', subscriptionId)
    .where('lease_until', '=', held)
    .execute()
}

export interface DueDelivery {
  id: string
  attempts: number
  subscription_id: string
  url: string
  secret: string
  previous_secret: string | null
  event_id: string
  account_id: string
  event_type: string
  payload: unknown
  event_created_at: Date
}

/**
 * The subscription's oldest pending delivery if it is due and the subscription still active, with
 * what sending it needs (the secrets as they are now, so a rotation applies at once).
 */
export async function headDelivery(db: Db, subscriptionId: string): Promise<DueDelivery | undefined> {
  const head = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select([
      'd.id',
      'd.attempts',
      'd.next_attempt_at',
      'd.subscription_id',
      's.url',
      's.secret',
      sql<string | null>`CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret END`.as(
        'previous_secret'
      ),
      's.state as subscription_state',
      'e.id as event_id',
      'e.account_id',
      'e.event_type',
      'e.payload',
      'e.created_at as event_created_at'
    ])
    .where('d.subscription_id', '=', subscriptionId)
    .where('d.state', '=', 'pending')
    .orderBy('d.id')
    .limit(1)
    .executeTakeFirst()
  if (!head || head.subscription_state !== 'active' || head.next_attempt_at > new Date()) return undefined
  return head
}

export interface AttemptRecord {
  attempts: number
  state: 'pending' | 'delivered' | 'failed'
  nextAttemptAt: Date
  status?: number
  latencyMs: number
  error?: string
}

export async function recordAttempt(db: Db, deliveryId: string, attempt: AttemptRecord): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      attempts: attempt.attempts,
      state: attempt.state,
      next_attempt_at: attempt.nextAttemptAt,
      last_attempt_at: new Date(),
      last_status: attempt.status ?? null,
      last_latency_ms: attempt.latencyMs,
      last_error: attempt.error ?? null,
      ...(attempt.state === 'delivered' ? { delivered_at: new Date() } : {})
    })
    .where('id', '=', deliveryId)
    .execute()
}

export async function disableSubscription(db: Db, subscriptionId: string, reason: string): Promise<void> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ state: 'disabled', disabled_reason: reason, updated_at: new Date() })
    .where('id', '=', subscriptionId)
    .where('state', '=', 'active')
    .execute()
}
