import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pageResponse } from '../../shared/pagination.ts'
import { AccountParams, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { listSandboxMessages } from './sandbox.repository.ts'
import { SandboxMessage, SandboxMessageQuery } from './sandbox.schemas.ts'
import { toSandboxMessage } from './sandbox.mapper.ts'

// A `+` in a query string arrives as a space unless the caller encoded it as %2B.
function e164(to: string): string {
  const trimmed = to.trim()
  return trimmed.startsWith('+') ? trimmed : `+${trimmed}`
}

export const sandboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/sandbox/messages',
    {
      schema: {
        tags: ['sandbox'],
        summary: 'Messages the sandbox carrier was asked to send',
        description:
          "One entry per message, however often its submit was retried. Administrators only: it shows every group's traffic.",
        operationId: 'sandbox.fetchMessages',
        params: AccountParams,
        querystring: Type.Object({ ...paginationQuery, ...SandboxMessageQuery.properties }),
        response: { 200: listEnvelope(ref(SandboxMessage)), ...errorResponses }
      },
      config: { roles: ['Administrator'] }
    },
    async (request) => {
      const { to, ...page } = request.query
      const messages = await listSandboxMessages(app.db, request.principal.accountId, {
        ...page,
        ...(to === undefined ? {} : { to: e164(to) })
      })
      return pageResponse(page, messages, toSandboxMessage)
    }
  )
}
