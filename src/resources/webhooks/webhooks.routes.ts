import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pageResponse } from '../../shared/pagination.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { deliveryBacklog, listDeliveries, listSubscriptions } from './webhooks.repository.ts'
import {
  DeliveriesQuery,
  ReplayRequest,
  ReplayResult,
  SubscribeRequest,
  UnsubscribeParams,
  Webhook,
  WebhookChange,
  WebhookDelivery,
  WebhookDetail,
  WebhookParams,
  WebhookWithSecret
} from './webhooks.schemas.ts'
import { toBacklog, toDelivery, toWebhook } from './webhooks.mapper.ts'
import {
  changeSubscription,
  getSubscription,
  replay,
  rotateSecret,
  setPaused,
  subscribe,
  unsubscribe,
  type WebhookPolicy
} from './webhooks.service.ts'

const adminOnly = { roles: ['Administrator'] as const }
const tags = ['webhooks']

export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookPolicy> = async (app, policy) => {
  app.get(
    '/v1/accounts/:accountId/webhooks',
    {
      schema: {
        tags,
        summary: 'Fetch active webhooks',
        description: 'Every subscription of the account, active, paused or disabled. Administrators only.',
        operationId: 'webhooks.fetchAll',
        params: AccountParams,
        querystring: Type.Object(paginationQuery),
        response: { 200: listEnvelope(ref(Webhook)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const page = await listSubscriptions(app.db, request.principal.accountId, request.query)
      return pageResponse(request.query, page, toWebhook)
    }
  )

  app.post(
    '/v1/accounts/:accountId/webhooks',
    {
      schema: {
        tags,
        summary: 'Subscribe to message events',
        description:
          "Events of the chosen types are POSTed to the URL, signed per Standard Webhooks with the answer's `secret`, which is shown only here (docs/webhooks.md). A URL on a private, loopback or link-local address is refused with WHK-002. Administrators only.",
        operationId: 'webhooks.subscribe',
        params: AccountParams,
        body: SubscribeRequest,
        response: { 200: envelope(ref(WebhookWithSecret)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const { principal } = request
      const row = await subscribe(app.db, principal.accountId, request.body, actorOf(principal), policy)
      return { success: true as const, data: { ...toWebhook(row), secret: row.secret } }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/webhooks/:url',
    {
      schema: {
        tags,
        summary: 'Unsubscribe to message events',
        description:
          'Removes the subscription for the URL-encoded URL (or with this id), with its pending deliveries. Administrators only.',
        operationId: 'webhooks.unsubscribe',
        params: UnsubscribeParams,
        response: { 204: Type.Null({ description: 'Unsubscribed' }), ...errorResponses }
      },
      config: adminOnly
    },
    async (request, reply) => {
      await unsubscribe(app.db, request.principal.accountId, request.params.url)
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/v1/accounts/:accountId/webhooks/:webhookId',
    {
      schema: {
        tags,
        summary: 'Fetch webhook by ID',
        description:
          'The subscription with its backlog: deliveries pending (and since when) and failed. Administrators only.',
        operationId: 'webhooks.fetch',
        params: WebhookParams,
        response: { 200: envelope(ref(WebhookDetail)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const row = await getSubscription(app.db, request.principal.accountId, request.params.webhookId)
      const backlog = toBacklog(await deliveryBacklog(app.db, row.id))
      return { success: true as const, data: { ...toWebhook(row), backlog } }
    }
  )

  app.put(
    '/v1/accounts/:accountId/webhooks/:webhookId',
    {
      schema: {
        tags,
        summary: 'Change webhook',
        description:
          'Changes the URL or the event types; events recorded from now on follow the new choice. Administrators only.',
        operationId: 'webhooks.update',
        params: WebhookParams,
        body: WebhookChange,
        response: { 200: envelope(ref(Webhook)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const { principal } = request
      const row = await changeSubscription(
        app.db,
        principal.accountId,
        request.params.webhookId,
        request.body,
        actorOf(principal),
        policy
      )
      return { success: true as const, data: toWebhook(row) }
    }
  )

  app.post(
    '/v1/accounts/:accountId/webhooks/:webhookId/secret',
    {
      schema: {
        tags,
        summary: 'Rotate webhook secret',
        description:
          'Answers a new signing secret, shown only here. For 24 hours deliveries carry signatures by both the new and the previous secret. Administrators only.',
        operationId: 'webhooks.rotateSecret',
        params: WebhookParams,
        response: { 200: envelope(ref(WebhookWithSecret)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const { principal } = request
      const row = await rotateSecret(app.db, principal.accountId, request.params.webhookId, actorOf(principal))
      return { success: true as const, data: { ...toWebhook(row), secret: row.secret } }
    }
  )

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false]
  ] as const) {
    app.post(
      `/v1/accounts/:accountId/webhooks/:webhookId/${action}`,
      {
        schema: {
          tags,
          summary: paused ? 'Pause webhook' : 'Resume webhook',
          description: paused
            ? 'Stops delivering; events go on queueing and are delivered, in order, on resume. Administrators only.'
            : 'Delivers again what queued while paused, or after the receiver answered 410 Gone. Administrators only.',
          operationId: `webhooks.${action}`,
          params: WebhookParams,
          response: { 200: envelope(ref(Webhook)), ...errorResponses }
        },
        config: adminOnly
      },
      async (request) => {
        const { principal } = request
        const row = await setPaused(app.db, principal.accountId, request.params.webhookId, paused, actorOf(principal))
        return { success: true as const, data: toWebhook(row) }
      }
    )
  }

  app.get(
    '/v1/accounts/:accountId/webhooks/:webhookId/deliveries',
    {
      schema: {
        tags,
        summary: 'Fetch webhook deliveries',
        description:
          'Newest first: each event queued for the subscription, its attempts, the last answer and its latency, and the next attempt while pending. Administrators only.',
        operationId: 'webhooks.fetchDeliveries',
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: listEnvelope(ref(WebhookDelivery)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const subscription = await getSubscription(app.db, request.principal.accountId, request.params.webhookId)
      const page = await listDeliveries(app.db, subscription.id, request.query)
      return pageResponse(request.query, page, toDelivery)
    }
  )

  app.post(
    '/v1/accounts/:accountId/webhooks/:webhookId/replay',
    {
      schema: {
        tags,
        summary: 'Replay webhook events',
        description:
          'Sends one event (eventId) or the events recorded in a time range (from, to) again, with their original ids, after the deliveries already pending. Administrators only.',
        operationId: 'webhooks.replay',
        params: WebhookParams,
        body: ReplayRequest,
        response: { 200: envelope(ReplayResult), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const { principal } = request
      const replayed = await replay(app.db, principal.accountId, request.params.webhookId, request.body)
      return { success: true as const, data: { replayed } }
    }
  )
}
