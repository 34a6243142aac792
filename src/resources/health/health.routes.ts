import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pingDatabase } from '../../db/connect.ts'
import { ApiError } from '../../errors/api-error.ts'
import { envelope, errorResponses } from '../../shared/schemas.ts'

const Status = envelope(Type.Object({ status: Type.String() }))

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Status } },
      config: { rateLimit: false }
    },
    async () => ({ success: true as const, data: { status: 'ok' } })
  )

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable',
        response: { 200: Status, ...errorResponses }
      },
      // Each call costs a database round trip, so it counts as anonymous traffic; /health does not.
      config: { rateLimit: false },
      onRequest: (request, reply) => app.limitAnonymous(request, reply)
    },
    async (request) => {
      try {
        await pingDatabase(app.db)
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed')
        throw new ApiError('SYS-002', 'The database is not reachable')
      }
      return { success: true as const, data: { status: 'ready' } }
    }
  )
}
