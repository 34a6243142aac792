import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ApiError } from '../errors/api-error.ts'
import { errorResponses } from '../shared/schemas.ts'
import type { CarrierAdapter, CarrierCallback, CarrierEvent } from './carrier.ts'

export interface CarrierCallbackOptions {
  /** PARLEY_PUBLIC_URL; without it the URL the request names (behind a proxy, its X-Forwarded-*). */
  publicUrl?: string
  /** Hands the verified events to the message path (receiveCarrierEvents). */
  onEvents: (carrier: string, events: readonly CarrierEvent[]) => Promise<void>
}

const CarrierParams = Type.Object({ carrier: Type.String({ description: 'The carrier name in PARLEY_CARRIERS' }) })

// Twilio's answer to an incoming message: no reply of its own (keyword answers go out through the
// dispatch pipeline).
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

type Kind = CarrierEvent['kind']

/**
 * Status reports and incoming messages that carriers POST, outside /v1/accounts: no token, but a
 * carrier signature, checked before anything is read or recorded. Only adapters that sign their
 * callbacks are reachable here (the sandbox's inbound needs an Administrator token instead).
 */
export const carrierCallbackRoutes: FastifyPluginAsyncTypebox<CarrierCallbackOptions> = async (app, options) => {
  // The signature covers the parameters exactly as sent, so the body is kept as the raw string.
  app.removeContentTypeParser('application/x-www-form-urlencoded')
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body)
  })

  function signedAdapter(name: string): CarrierAdapter {
    const adapter = app.deps.carriers.names().includes(name) ? app.deps.carriers.get(name) : undefined
    if (!adapter?.verifySignature || !adapter.parseCallback)
      throw new ApiError('CARR-001', `No carrier "${name}" takes HTTP callbacks`)
    return adapter
  }

  function callbackOf(request: FastifyRequest): CarrierCallback {
    const rawBody = typeof request.body === 'string' ? request.body : ''
    const base = options.publicUrl ?? `${request.protocol}://${request.host}`
    return {
      url: base + request.url,
      headers: request.headers,
      rawBody,
      body: Object.fromEntries(new URLSearchParams(rawBody))
    }
  }

  async function receive(request: FastifyRequest, carrier: string, kind: Kind): Promise<void> {
    const adapter = signedAdapter(carrier)
    const callback = callbackOf(request)
    if (!adapter.verifySignature!(callback)) throw new ApiError('CARR-002')
    const events = adapter.parseCallback!(callback).filter((event) => event.kind === kind)
    await options.onEvents(adapter.name, events)
  }

  const common = { tags: ['carriers'], params: CarrierParams }
  const config = { rateLimit: false }

  app.post(
    '/carriers/:carrier/status',
    {
      schema: {
        ...common,
        summary: 'Delivery status callback from a carrier',
        description: "Set as each message's status callback when it is sent. Signed by the carrier.",
        operationId: 'carriers.status',
        response: { 204: Type.Null({ description: 'Recorded' }), ...errorResponses }
      },
      config
    },
    async (request, reply) => {
      await receive(request, request.params.carrier, 'status')
      return reply.code(204).send(null)
    }
  )

  app.post(
    '/carriers/:carrier/inbound',
    {
      schema: {
        ...common,
        summary: 'Incoming message from a carrier',
        description: "The messaging webhook of the carrier's numbers. Signed by the carrier; answers empty TwiML.",
        operationId: 'carriers.inbound',
        response: {
          200: { description: 'Received', content: { 'text/xml': { schema: Type.String() } } },
          ...errorResponses
        }
      },
      config
    },
    async (request, reply) => {
      await receive(request, request.params.carrier, 'inbound')
      return reply.code(200).type('text/xml').send(EMPTY_TWIML)
    }
  )
}
