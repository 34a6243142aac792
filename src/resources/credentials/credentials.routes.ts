import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../shared/principal.ts'
import { pageResponse } from '../../shared/pagination.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { listCredentials } from './credentials.repository.ts'
import { ApiCredential, ApiCredentialRequest, CredentialParams, NewApiCredential } from './credentials.schemas.ts'
import { toApiCredential } from './credentials.mapper.ts'
import { createCredential, revokeAccountCredential } from './credentials.service.ts'

const adminOnly = { roles: ['Administrator'] as const }

export const credentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'List API credentials',
        operationId: 'credentials.fetchAll',
        params: AccountParams,
        querystring: Type.Object(paginationQuery),
        response: { 200: listEnvelope(ref(ApiCredential)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const page = await listCredentials(app.db, request.principal.accountId, request.query)
      return pageResponse(request.query, page, toApiCredential)
    }
  )

  app.post(
    '/v1/accounts/:accountId/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Create an API credential',
        description: 'The client secret is in this answer only; Parley keeps a slow hash of it.',
        operationId: 'credentials.create',
        params: AccountParams,
        body: ApiCredentialRequest,
        response: { 201: envelope(ref(NewApiCredential)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request, reply) => {
      // Only the fields of the schema: unknown properties reach the handler (the schema is open), and a
      // caller must never choose its own clientId or clientSecret, which createCredential honours for bootstrap.
      const { name, userId } = request.body ?? {}
      const { credential, clientSecret } = await createCredential(
        app.db,
        request.principal.accountId,
        { name, userId },
        actorOf(request.principal)
      )
      return reply.code(201).send({ success: true as const, data: { ...toApiCredential(credential), clientSecret } })
    }
  )

  app.post(
    '/v1/accounts/:accountId/credentials/:credentialId/revoke',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Revoke an API credential',
        description:
          'Tokens issued to the credential stop working within PARLEY_CREDENTIAL_CACHE_SECONDS on every instance.',
        operationId: 'credentials.revoke',
        params: CredentialParams,
        response: { 200: envelope(ref(ApiCredential)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const revoked = await revokeAccountCredential(app.db, request.principal.accountId, request.params.credentialId)
      app.forgetCredential(revoked.id)
      return { success: true as const, data: toApiCredential(revoked) }
    }
  )
}
