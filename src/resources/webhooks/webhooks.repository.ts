import { sql } from 'kysely'
import type { DbOrTx } from '../../db/database.ts'
import { countRows, withTotalCount } from '../../db/count.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { DeliveryListRow, DeliveryBacklog } from './webhooks.table.ts'
import type { DeliveryState, SubscriptionState, WebhookSubscriptionRow } from './webhooks.table.ts'

export interface NewSubscription {
  id: string
  url: string
  eventTypes: readonly string[]
  secret: string
}

/** Answers undefined when the account already has a subscription for the URL. */
export async function insertSubscription(
  db: DbOrTx,
  accountId: string,
  subscription: NewSubscription,
  actor: ActorShape
): Promise<WebhookSubscriptionRow | undefined> {
  return await db
    .insertInto('webhook_subscriptions')
    .values({
      id: subscription.id,
      account_id: accountId,
      url: subscription.url,
      event_types: [...subscription.eventTypes],
      secret: subscription.secret,
      previous_secret: null,
      previous_secret_expires_at: null,
      disabled_reason: null,
      lease_until: null,
      created_by: actorJson(actor),
      updated_by: actorJson(actor)
    })
    .onConflict((conflict) => conflict.constraint('webhook_subscriptions_account_url_key').doNothing())
    .returningAll()
    .executeTakeFirst()
}

export async function findSubscription(
  db: DbOrTx,
  accountId: string,
  subscriptionId: string
): Promise<WebhookSubscriptionRow | undefined> {
  return await db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', subscriptionId)
    .executeTakeFirst()
}

export async function listSubscriptions(
  db: DbOrTx,
  accountId: string,
  request: PageRequest
): Promise<Page<WebhookSubscriptionRow>> {
  const matching = db.selectFrom('webhook_subscriptions').where('account_id', '=', accountId)
  const items = await matching
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .offset(request.offset)
    .limit(request.limit)
    .execute()
  return await withTotalCount(request, items, () => countRows(matching))
}

export interface SubscriptionChanges {
  url?: string
  eventTypes?: readonly string[]
  state?: SubscriptionState
  /** A new secret; the current one keeps verifying until previousSecretExpiresAt. */
  rotation?: { secret: string; previousSecretExpiresAt: Date }
}

/** Answers undefined when the account has no such subscription, or the new URL is already subscribed. */
export async function updateSubscription(
  db: DbOrTx,
  accountId: string,
  subscriptionId: string,
  changes: SubscriptionChanges,
  actor: ActorShape
): Promise<WebhookSubscriptionRow | undefined> {
  const { url, eventTypes, state, rotation } = changes
  return await db
    .updateTable('webhook_subscriptions')
    .set({
      ...(url === undefined ? {} : { url }),
      ...(eventTypes === undefined ? {} : { event_types: [...eventTypes] }),
      ...(state === undefined ? {} : { state, disabled_reason: null }),
      ...(rotation === undefined
        ? {}
        : {
            previous_secret: sql<string>`secret`,
            previous_secret_expires_at: rotation.previousSecretExpiresAt,
            secret: rotation.secret
          }),
      updated_at: new Date(),
      updated_by: actorJson(actor)
    })
    .where('account_id', '=', accountId)
    .where('id', '=', subscriptionId)
    .returningAll()
    .executeTakeFirst()
}

export async function deleteSubscriptions(
  db: DbOrTx,
  accountId: string,
  match: { id: string } | { url: string }
): Promise<number> {
  const result = await db
    .deleteFrom('webhook_subscriptions')
    .where('account_id', '=', accountId)
    .where((eb) => ('id' in match ? eb('id', '=', match.id) : eb('url', '=', match.url)))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function listDeliveries(
  db: DbOrTx,
  subscriptionId: string,
  filter: PageRequest & { state?: DeliveryState }
): Promise<Page<DeliveryListRow>> {
  let matching = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .where('d.subscription_id', '=', subscriptionId)
  if (filter.state) matching = matching.where('d.state', '=', filter.state)
  const items = await matching
    .selectAll('d')
    .select('e.event_type')
    .orderBy('d.id', 'desc')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  return await withTotalCount(filter, items, () => countRows(matching))
}

export type ReplaySelection = { eventId: string } | { from: Date; to: Date }

/**
 * Queues the account's chosen events (of the subscription's types) for the subscription again, in
 * outbox order; answers how many.
 */
export async function insertReplays(
  db: DbOrTx,
  accountId: string,
  subscription: Pick<WebhookSubscriptionRow, 'id' | 'event_types'>,
  selection: ReplaySelection
): Promise<number> {
  let events = db
    .selectFrom('events')
    .select([
      sql<string>`${subscription.id}::text`.as('subscription_id'),
      'id as event_id',
      sql<boolean>`true`.as('replay')
    ])
    .where('account_id', '=', accountId)
    .where('event_type', '=', sql<string>`ANY(${sql.val(subscription.event_types)}::text[])`)
  events =
    'eventId' in selection
      ? events.where('id', '=', selection.eventId)
      : events.where('created_at', '>=', selection.from).where('created_at', '<', selection.to)
  const result = await db
    .insertInto('webhook_deliveries')
    .columns(['subscription_id', 'event_id', 'replay'])
    .expression(events.orderBy('seq'))
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n)
}

export async function eventExists(db: DbOrTx, accountId: string, eventId: string): Promise<boolean> {
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('account_id', '=', accountId)
    .where('id', '=', eventId)
    .executeTakeFirst()
  return row !== undefined
}

/** What a subscription has waiting and what it gave up on: its backlog, read off the partial index. */
export async function deliveryBacklog(db: DbOrTx, subscriptionId: string): Promise<DeliveryBacklog> {
  return await db
    .selectFrom('webhook_deliveries')
    .select([
      sql<number>`count(*) FILTER (WHERE state = 'pending')::int`.as('pending'),
      sql<number>`count(*) FILTER (WHERE state = 'failed')::int`.as('failed'),
      sql<Date | null>`min(created_at) FILTER (WHERE state = 'pending')`.as('oldest_pending_at')
    ])
    .where('subscription_id', '=', subscriptionId)
    .where('state', '<>', 'delivered')
    .executeTakeFirstOrThrow()
}
