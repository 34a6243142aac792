import { Type, type Static } from 'typebox'

const Media = Type.Object({ url: Type.String({ format: 'uri' }), type: Type.Optional(Type.String()) })

export const SandboxMessage = Type.Object(
  {
    id: Type.String({ description: 'The carrier message id the sandbox answered' }),
    idempotencyKey: Type.String({ description: 'The message-scoped key the pipeline submitted with (the message id)' }),
    from: Type.String(),
    to: Type.String(),
    message: Type.String(),
    type: Type.Union([Type.Literal('SMS'), Type.Literal('MMS')]),
    media: Type.Array(Media),
    segments: Type.Integer(),
    outcome: Type.Union([Type.Literal('accepted'), Type.Literal('rejected'), Type.Literal('deferred')], {
      description:
        'accepted: taken for delivery; rejected: failed for good at submit (test number ending 0002); deferred: failed once, retryable (ending 0003)'
    }),
    deliveryStatus: Type.Union([Type.Literal('delivered'), Type.Literal('undelivered'), Type.Null()], {
      description:
        'What the sandbox reports after PARLEY_SANDBOX_DELIVERY_DELAY_MS (undelivered for numbers ending 0001)'
    }),
    attempts: Type.Integer({ minimum: 1, description: 'Submits received with this idempotency key' }),
    firstAttemptAt: Type.String({ format: 'date-time' }),
    lastAttemptAt: Type.String({ format: 'date-time' })
  },
  { $id: 'SandboxMessage' }
)

export const SandboxMessageQuery = Type.Object({
  to: Type.Optional(Type.String({ maxLength: 32, description: 'Destination in E.164; the leading + may be left out' }))
})

/** A message injected as if a carrier delivered it to one of the account's senders. */
export const SandboxInbound = Type.Object({
  from: Type.String({ minLength: 1, maxLength: 32 }),
  to: Type.String({ minLength: 1, maxLength: 32 }),
  message: Type.String({ maxLength: 5000 }),
  media: Type.Optional(Type.Array(Media, { maxItems: 10 }))
})

export type SandboxMessageShape = Static<typeof SandboxMessage>
