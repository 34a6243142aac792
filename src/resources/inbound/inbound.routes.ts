import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SANDBOX } from '../../carriers/sandbox/sandbox-carrier.ts'
import { SandboxInbound } from '../../carriers/sandbox/sandbox.schemas.ts'
import { ApiError } from '../../errors/api-error.ts'
import { AccountParams, envelope, errorResponses, ref } from '../../shared/schemas.ts'
import { receiveCarrierEvents } from '../messages/carrier-events.service.ts'
import { Message } from '../messages/messages.schemas.ts'
import { findLiveSenderByNumber } from '../senders/senders.repository.ts'

const Received = Type.Object({
  message: ref(Message),
  keyword: Type.Optional(
    Type.Enum(['opt-out', 'opt-in', 'help'], { description: 'The keyword the message was, if any' })
  ),
  reply: Type.Optional(ref(Message))
})

/** Injects an inbound message into a sandbox sender, exactly as a carrier would deliver one. */
export const inboundRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/accounts/:accountId/sandbox/inbound',
    {
      schema: {
        tags: ['sandbox'],
        summary: 'Inject an inbound message',
        description:
          "As if the contact `from` texted `message` to the sender `to` (one of the account's senders whose carrier is sandbox). " +
          "It lands in the conversation of the sender's group; STOP, START and HELP keywords are handled and answered. Administrators only.",
        operationId: 'sandbox.inbound',
        params: AccountParams,
        body: SandboxInbound,
        response: { 200: envelope(Received), ...errorResponses }
      },
      config: { roles: ['Administrator'] }
    },
    async (request) => {
      const { deps } = app
      // The caller may only write to its own account's senders.
      const sender = await findLiveSenderByNumber(deps.db, request.body.to)
      if (!sender || sender.account_id !== request.principal.accountId)
        throw new ApiError('SNDR-001', `No sender ${request.body.to} in this account`)
      if (sender.carrier !== SANDBOX)
        throw new ApiError('MSG-005', `The sender ${sender.number} uses the ${sender.carrier} carrier, not the sandbox`)
      const events = deps.carriers.get(SANDBOX).parseCallback!({
        url: request.url,
        headers: request.headers,
        rawBody: JSON.stringify(request.body),
        body: request.body
      })
      const [received] = await receiveCarrierEvents(deps, SANDBOX, events, {
        known: new Map([[request.body.to, sender]])
      })
      return { success: true as const, data: received! }
    }
  )
}
