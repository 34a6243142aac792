import { Type, type Static } from 'typebox'
import { AccountParams, paginationQuery, ref, Updated } from '../../shared/schemas.ts'
import { eventTypes } from '../events/events.table.ts'
import { DELIVERY_STATES, SUBSCRIPTION_STATES } from './webhooks.table.ts'

const EventTypeName = Type.Enum(eventTypes)

const webhookUrl = () =>
  Type.String({
    format: 'uri',
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
    maxLength: 2048,
    description: 'Where events are POSTed: http or https, on a public address',
    examples: ['https://myserver.com/send/callback/here']
  })

export const SubscribeRequest = Type.Object({
  url: webhookUrl(),
  eventTypes: Type.Array(EventTypeName, { minItems: 1, maxItems: eventTypes.length, uniqueItems: true })
})

export const WebhookChange = Type.Object({
  url: Type.Optional(webhookUrl()),
  eventTypes: Type.Optional(Type.Array(EventTypeName, { minItems: 1, maxItems: eventTypes.length, uniqueItems: true }))
})

export const Webhook = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal('webhook'),
    url: Type.String({ description: 'The receiver, as subscribed' }),
    destination: Type.String({ description: 'Same as url (the newer documentation names it so)' }),
    eventTypes: Type.Array(EventTypeName),
    status: Type.Enum(SUBSCRIPTION_STATES, {
      description: 'paused: events queue up and are delivered on resume; disabled: the receiver answered 410 Gone'
    }),
    disabledReason: Type.Optional(Type.String()),
    secretRotatedUntil: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Until then deliveries are also signed with the previous secret'
      })
    ),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Webhook' }
)

export const WebhookBacklog = Type.Object({
  pending: Type.Integer({ description: 'Deliveries waiting, including the one being retried' }),
  failed: Type.Integer({ description: 'Deliveries given up after the last retry (replayable)' }),
  oldestPendingAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'When the oldest waiting delivery was queued' })
  )
})

export const WebhookDetail = Type.Object({ ...Webhook.properties, backlog: WebhookBacklog }, { $id: 'WebhookDetail' })

export const WebhookWithSecret = Type.Object(
  {
    ...Webhook.properties,
    secret: Type.String({
      description: 'The Standard Webhooks signing secret (whsec_…). Shown only in this answer.',
      examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']
    })
  },
  { $id: 'WebhookWithSecret' }
)

export const WebhookDelivery = Type.Object(
  {
    id: Type.String(),
    eventId: Type.String(),
    eventType: EventTypeName,
    state: Type.Enum(DELIVERY_STATES),
    replay: Type.Boolean(),
    attempts: Type.Integer(),
    nextAttemptAt: Type.Optional(Type.String({ format: 'date-time', description: 'While pending' })),
    lastAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
    lastStatus: Type.Optional(Type.Integer({ description: "The receiver's HTTP status" })),
    lastLatencyMs: Type.Optional(Type.Integer()),
    lastError: Type.Optional(Type.String({ description: 'Why the last attempt failed, when it did' })),
    deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
    created: Type.String({ format: 'date-time' })
  },
  { $id: 'WebhookDelivery' }
)

export const ReplayRequest = Type.Object({
  eventId: Type.Optional(Type.String({ description: 'One event to send again' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Events recorded at or after this time' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'and before this time (default: now)' }))
})

export const ReplayResult = Type.Object({
  replayed: Type.Integer({ description: 'Deliveries queued, in outbox order, behind those already pending' })
})

export const WebhookParams = Type.Object({ ...AccountParams.properties, webhookId: Type.String() })
export const UnsubscribeParams = Type.Object({
  ...AccountParams.properties,
  url: Type.String({ description: 'The subscribed URL, URL-encoded (or the subscription id)' })
})

export const DeliveriesQuery = Type.Object({
  ...paginationQuery,
  state: Type.Optional(Type.Enum(DELIVERY_STATES))
})

export type SubscribeRequestShape = Static<typeof SubscribeRequest>
export type WebhookChangeShape = Static<typeof WebhookChange>
export type WebhookShape = Static<typeof Webhook>
export type WebhookBacklogShape = Static<typeof WebhookBacklog>
export type WebhookDeliveryShape = Static<typeof WebhookDelivery>
export type ReplayRequestShape = Static<typeof ReplayRequest>
