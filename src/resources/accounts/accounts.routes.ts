import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError } from '../../errors/api-error.ts'
import { AccountParams, envelope, errorResponses, ref } from '../../shared/schemas.ts'
import { findAccount } from './accounts.repository.ts'
import { Account, toAccount } from './accounts.schemas.ts'

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/accounts/:accountId', {
    schema: {
      tags: ['accounts'],
      summary: 'Fetch account',
      operationId: 'accounts.fetch',
      params: AccountParams,
      response: { 200: envelope(ref(Account)), ...errorResponses }
    }
  }, async (request) => {
    const account = await findAccount(app.db, request.principal.accountId)
    if (!account) throw new ApiError('ACCT-008')
    return { success: true as const, data: toAccount(account) }
  })
}
