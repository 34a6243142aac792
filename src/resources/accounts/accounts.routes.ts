import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError } from '../../errors/api-error.ts'
import { countSegments, overLengthLimit } from '../../lib/segments.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, ref } from '../../shared/schemas.ts'
import { findAccount, updateAccount } from './accounts.repository.ts'
import { Account, AccountUpdate } from './accounts.schemas.ts'
import { toAccount } from './accounts.mapper.ts'

export const accountRoutes: FastifyPluginAsyncTypebox<{ defaultHelpText: string }> = async (
  app,
  { defaultHelpText }
) => {
  app.get(
    '/v1/accounts/:accountId',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Fetch account',
        operationId: 'accounts.fetch',
        params: AccountParams,
        response: { 200: envelope(ref(Account)), ...errorResponses }
      }
    },
    async (request) => {
      const account = await findAccount(app.db, request.principal.accountId)
      if (!account) throw new ApiError('ACCT-008')
      return { success: true as const, data: toAccount(account, defaultHelpText) }
    }
  )

  app.put(
    '/v1/accounts/:accountId',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Update account',
        description: 'Renames the account or sets its reply to inbound HELP and INFO messages. Administrators only.',
        operationId: 'accounts.update',
        params: AccountParams,
        body: AccountUpdate,
        response: { 200: envelope(ref(Account)), ...errorResponses }
      },
      config: { roles: ['Administrator'] as const }
    },
    async (request) => {
      const { name, helpText } = request.body
      if (name === undefined && helpText === undefined)
        throw new ApiError('REQ-001', 'Nothing to change: give name or helpText')
      // The reply goes out as one message, so it must fit the length limit every send has.
      const tooLong = helpText ? overLengthLimit(countSegments(helpText).segments) : undefined
      if (tooLong) throw new ApiError('MSG-007', `helpText: ${tooLong}`)
      const account = await updateAccount(app.db, request.principal.accountId, request.body, actorOf(request.principal))
      if (!account) throw new ApiError('ACCT-008')
      return { success: true as const, data: toAccount(account, defaultHelpText) }
    }
  )
}
