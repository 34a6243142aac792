import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { pageResponse } from '../../shared/pagination.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { readableGroupIdsQuery } from '../groups/group-access.ts'
import { groupsOfUsers } from '../groups/groups.repository.ts'
import { findUser, listUsers, updateMailPreferences } from './users.repository.ts'
import { MailPreferences, User, UserParams, UserRequest, UserUpdate, type UserShape } from './users.schemas.ts'
import { toUser } from './users.mapper.ts'
import { changeUser, createUser, removeUser } from './users.service.ts'
import type { UserRow } from './users.table.ts'

const adminOnly = { roles: ['Administrator'] as const }

/** Users with their groups, showing only the groups the caller may read. */
async function withGroups(db: Db, principal: Principal, rows: UserRow[]): Promise<UserShape[]> {
  const groups = await groupsOfUsers(
    db,
    principal.accountId,
    rows.map((row) => row.id),
    readableGroupIdsQuery(db, principal)
  )
  return rows.map((row) => toUser(row, groups.get(row.id) ?? []))
}

// Every role may read users: names are needed to show who sent a message or holds a conversation.
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users',
        operationId: 'users.fetchAll',
        params: AccountParams,
        querystring: Type.Object(paginationQuery),
        response: { 200: listEnvelope(ref(User)), ...errorResponses }
      }
    },
    async (request) => {
      const { accountId } = request.principal
      const page = await listUsers(app.db, accountId, request.query)
      return pageResponse(request.query, { ...page, items: await withGroups(app.db, request.principal, page.items) })
    }
  )

  app.post(
    '/v1/accounts/:accountId/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create user',
        description: 'A new user is in no group: add them to groups with PUT …/groups/{groupId}/users/{userId}.',
        operationId: 'users.create',
        params: AccountParams,
        body: UserRequest,
        response: { 201: envelope(ref(User)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request, reply) => {
      const user = await createUser(app.db, request.principal.accountId, request.body, actorOf(request.principal))
      return reply.code(201).send({ success: true as const, data: toUser(user, []) })
    }
  )

  app.get(
    '/v1/accounts/:accountId/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'Fetch a user',
        operationId: 'users.fetch',
        params: UserParams,
        response: { 200: envelope(ref(User)), ...errorResponses }
      }
    },
    async (request) => {
      const { accountId } = request.principal
      const user = await findUser(app.db, accountId, request.params.userId)
      if (!user) throw new ApiError('USER-001')
      const [shape] = await withGroups(app.db, request.principal, [user])
      return { success: true as const, data: shape! }
    }
  )

  app.put(
    '/v1/accounts/:accountId/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'Update a user',
        description:
          "Absent fields stay as they are. A role change applies to the user's tokens within PARLEY_CREDENTIAL_CACHE_SECONDS. The last Administrator cannot be demoted (USER-003).",
        operationId: 'users.update',
        params: UserParams,
        body: UserUpdate,
        response: { 200: envelope(ref(User)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const { accountId } = request.principal
      const user = await changeUser(app.db, accountId, request.params.userId, request.body, actorOf(request.principal))
      const [shape] = await withGroups(app.db, request.principal, [user])
      return { success: true as const, data: shape! }
    }
  )

  app.put(
    '/v1/accounts/:accountId/users/:userId/mail-preferences',
    {
      schema: {
        tags: ['users'],
        summary: "Set a user's mail preferences",
        description:
          'What the user is emailed about. A user sets their own (through a credential bound to them or ' +
          "X-Parley-User-Email); an Administrator sets anyone's. Others answer ACCT-016.",
        operationId: 'users.updateMailPreferences',
        params: UserParams,
        body: MailPreferences,
        response: { 200: envelope(ref(User)), ...errorResponses }
      }
    },
    async (request) => {
      const { principal } = request
      if (principal.role !== 'Administrator' && principal.user?.id !== request.params.userId)
        throw new ApiError('ACCT-016', "Only the user themself or an Administrator sets a user's mail preferences")
      const user = await updateMailPreferences(
        app.db,
        principal.accountId,
        request.params.userId,
        request.body,
        actorOf(principal)
      )
      if (!user) throw new ApiError('USER-001')
      const [shape] = await withGroups(app.db, principal, [user])
      return { success: true as const, data: shape! }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'Remove a user',
        description:
          'The user leaves every group and their credentials stop working; messages they sent keep their name. The last Administrator cannot be removed (USER-003).',
        operationId: 'users.remove',
        params: UserParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      await removeUser(app.db, request.principal.accountId, request.params.userId, actorOf(request.principal))
      return { success: true as const }
    }
  )
}
