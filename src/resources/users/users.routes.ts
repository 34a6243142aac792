import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../shared/principal.ts'
import { pageResponse } from '../../shared/pagination.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { listUsers } from './users.repository.ts'
import { toUser, User, UserRequest } from './users.schemas.ts'
import { createUser } from './users.service.ts'

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/accounts/:accountId/users', {
    schema: {
      tags: ['users'],
      summary: 'List users',
      operationId: 'users.fetchAll',
      params: AccountParams,
      querystring: Type.Object(paginationQuery),
      response: { 200: listEnvelope(ref(User)), ...errorResponses }
    }
  }, async (request) => {
    const page = await listUsers(app.db, request.principal.accountId, request.query)
    return pageResponse(request.query, { ...page, items: page.items.map(toUser) })
  })

  app.post('/v1/accounts/:accountId/users', {
    schema: {
      tags: ['users'],
      summary: 'Create user',
      operationId: 'users.create',
      params: AccountParams,
      body: UserRequest,
      response: { 201: envelope(ref(User)), ...errorResponses }
    },
    config: { roles: ['Administrator'] }
  }, async (request, reply) => {
    const user = await createUser(app.db, request.principal.accountId, request.body, actorOf(request.principal))
    return reply.code(201).send({ success: true as const, data: toUser(user) })
  })
}
