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
 * The subscription's oldest pending deliveries, in order, while the subscription is active and the
 * first is due, with what sending them needs (the secrets as they are now). Only the head can be
 * waiting for a retry: the others have not been attempted yet, as deliveries go out one at a time.
 */
export async function dueDeliveries(db: Db, subscriptionId: string, limit: number): Promise<DueDelivery[]> {
  const rows = await db
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
      'e.id as event_id',
      'e.account_id',
      'e.event_type',
      'e.payload',
      'e.created_at as event_created_at'
    ])
    .where('d.subscription_id', '=', subscriptionId)
    .where('d.state', '=', 'pending')
    .where('s.state', '=', 'active')
    .orderBy('d.id')
    .limit(limit)
    .execute()
  const now = new Date()
  const due = rows.findIndex((row) => row.next_attempt_at > now)
  return due === -1 ? rows : rows.slice(0, due)
}

export interface AttemptRecord {
  attempts: number
  state: 'pending' | 'delivered' | 'failed'
  nextAttemptAt: Date
  status?: number
  latencyMs: number
  error?: string
}

/**
 * Records an attempt and extends the worker's lease in one statement; answers false when the lease
 * had lapsed (another worker may hold the subscription now, so this one stops).
 */
export async function recordAttempt(
  db: Db,
  delivery: Pick<DueDelivery, 'id' | 'subscription_id' | 'url'>,
  attempt: AttemptRecord,
  lease: { held: Date; until: Date }
): Promise<boolean> {
  const delivered = attempt.state === 'delivered'
  const { rows } = await sql<{ id: string }>`
    WITH recorded AS (
      UPDATE webhook_deliveries SET
        attempts = ${attempt.attempts},
        state = ${attempt.state},
        next_attempt_at = ${attempt.nextAttemptAt},
        last_attempt_at = now(),
        last_status = ${attempt.status ?? null},
        last_latency_ms = ${attempt.latencyMs},
        last_error = ${attempt.error ?? null},
        delivered_at = CASE WHEN ${delivered} THEN now() END
      WHERE id = ${delivery.id}
    )
    UPDATE webhook_subscriptions SET lease_until = ${lease.until}
    WHERE id = ${delivery.subscription_id} AND lease_until = ${lease.held}
      AND state = 'active' AND url = ${delivery.url}
    RETURNING id
  `.execute(db)
  return rows.length > 0
}

export async function disableSubscription(db: Db, subscriptionId: string, reason: string): Promise<void> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ state: 'disabled', disabled_reason: reason, updated_at: new Date() })
    .where('id', '=', subscriptionId)
    .where('state', '=', 'active')
    .execute()
}

/**
 * Forgets deliveries that finished (delivered or given up) before `before`. The events stay, so a
 * replay by time range still reaches them.
 */
export async function purgeFinishedDeliveries(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('webhook_deliveries')
    .where('state', '<>', 'pending')
    .where('last_attempt_at', '<', before)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
