import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AccountParams, errorResponses, ref } from '../../shared/schemas.ts'
import { CarrierInfo } from './carriers.schemas.ts'
import { toCarrierInfo } from './carriers.mapper.ts'

export const carrierRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/carriers',
    {
      schema: {
        tags: ['carriers'],
        summary: 'List carriers',
        description:
          'The carriers a sender may name: the sandbox and those in PARLEY_CARRIERS, each with its health as this instance sees it (docs/carriers/overview.md). Administrators only.',
        operationId: 'carriers.fetchAll',
        params: AccountParams,
        response: {
          200: Type.Object({ success: Type.Literal(true), data: Type.Array(ref(CarrierInfo)) }),
          ...errorResponses
        }
      },
      config: { roles: ['Administrator'] as const }
    },
    async () => ({
      success: true as const,
      data: app.deps.carriers.names().map((name) => toCarrierInfo(app.deps.carriers.get(name)))
    })
  )
}
