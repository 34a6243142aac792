import type { Db } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { refusedHost } from './webhook-address.ts'
import { newWebhookSecret } from './webhook-signing.ts'
import {
  deleteSubscriptions,
  eventExists,
  findSubscription,
  insertReplays,
  insertSubscription,
  updateSubscription,
  type SubscriptionChanges
} from './webhooks.repository.ts'
import type { ReplayRequestShape, SubscribeRequestShape, WebhookChangeShape } from './webhooks.schemas.ts'
import type { WebhookSubscriptionRow } from './webhooks.table.ts'

// How long a rotated-out secret keeps signing, so receivers can switch without missing a delivery.
const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000

export interface WebhookPolicy {
  allowPrivate: boolean
}

/**
 * Only http and https, and (unless the operator allows private addresses) not a host that is or
 * resolves to an internal address. Each delivery checks again, on the address it connects to.
 */
async function checkUrl(url: string, policy: WebhookPolicy): Promise<void> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ApiError('WHK-002', `url: ${url} is not a URL`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ApiError('WHK-002', `url: only http and https URLs are delivered to, not ${parsed.protocol}`)
  if (policy.allowPrivate) return
  const refusal = await refusedHost(parsed)
  if (refusal) throw new ApiError('WHK-002', `url: ${refusal} (PARLEY_WEBHOOKS_ALLOW_PRIVATE allows it)`)
}

export async function subscribe(
  db: Db,
  accountId: string,
  request: SubscribeRequestShape,
  actor: ActorShape,
  policy: WebhookPolicy
): Promise<WebhookSubscriptionRow> {
  await checkUrl(request.url, policy)
  const row = await insertSubscription(
    db,
    accountId,
    { id: newId(), url: request.url, eventTypes: request.eventTypes, secret: newWebhookSecret() },
    actor
  )
  if (!row) throw new ApiError('WHK-003', `${request.url} is already subscribed; change that subscription instead`)
  return row
}

export async function getSubscription(db: Db, accountId: string, subscriptionId: string) {
  const row = await findSubscription(db, accountId, subscriptionId)
  if (!row) throw new ApiError('WHK-001')
  return row
}

async function change(
  db: Db,
  accountId: string,
  subscriptionId: string,
  changes: SubscriptionChanges,
  actor: ActorShape
): Promise<WebhookSubscriptionRow> {
  try {
    const row = await updateSubscription(db, accountId, subscriptionId, changes, actor)
    if (!row) throw new ApiError('WHK-001')
    return row
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'webhook_subscriptions_account_url_key')
      throw new ApiError('WHK-003')
    throw error
  }
}

export async function changeSubscription(
  db: Db,
  accountId: string,
  subscriptionId: string,
  request: WebhookChangeShape,
  actor: ActorShape,
  policy: WebhookPolicy
): Promise<WebhookSubscriptionRow> {
  if (request.url !== undefined) await checkUrl(request.url, policy)
  return await change(db, accountId, subscriptionId, { url: request.url, eventTypes: request.eventTypes }, actor)
}

export async function rotateSecret(
  db: Db,
  accountId: string,
  subscriptionId: string,
  actor: ActorShape
): Promise<WebhookSubscriptionRow> {
  const rotation = { secret: newWebhookSecret(), previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS) }
  return await change(db, accountId, subscriptionId, { rotation }, actor)
}

/** Paused subscriptions keep collecting deliveries; resuming (also after a 410) sends them in order. */
export async function setPaused(
  db: Db,
  accountId: string,
  subscriptionId: string,
  paused: boolean,
  actor: ActorShape
): Promise<WebhookSubscriptionRow> {
  return await change(db, accountId, subscriptionId, { state: paused ? 'paused' : 'active' }, actor)
}

/** Sakari unsubscribes by URL; Parley also takes the subscription's id in its place. */
export async function unsubscribe(db: Db, accountId: string, urlOrId: string): Promise<void> {
  const removed =
    (await deleteSubscriptions(db, accountId, { url: urlOrId })) ||
    (await deleteSubscriptions(db, accountId, { id: urlOrId }))
  if (removed === 0) throw new ApiError('WHK-001', `No subscription for ${urlOrId}`)
}

export async function replay(
  db: Db,
  accountId: string,
  subscriptionId: string,
  request: ReplayRequestShape
): Promise<number> {
  const subscription = await getSubscription(db, accountId, subscriptionId)
  if (request.eventId !== undefined) {
    if (!(await eventExists(db, accountId, request.eventId))) throw new ApiError('WHK-005')
    return await insertReplays(db, accountId, subscription, { eventId: request.eventId })
  }
  if (request.from === undefined) throw new ApiError('WHK-004')
  const to = request.to === undefined ? new Date() : new Date(request.to)
  return await insertReplays(db, accountId, subscription, { from: new Date(request.from), to })
}
