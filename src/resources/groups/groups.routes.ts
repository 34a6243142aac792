import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type TSchema } from 'typebox'
import { ApiError } from '../../errors/api-error.ts'
import { pageResponse } from '../../shared/pagination.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { assertCanReadGroup, readableGroupIdsQuery } from './group-access.ts'
import { findGroupDetails, listGroups } from './groups.repository.ts'
import { Group, GroupParams, GroupRequest, GroupSenderParams, GroupUpdate, GroupUserParams } from './groups.schemas.ts'
import { toGroup } from './groups.mapper.ts'
import {
  addGroupSender,
  addGroupUser,
  changeGroup,
  createGroup,
  removeGroup,
  removeGroupSender,
  removeGroupUser
} from './groups.service.ts'

const adminOnly = { roles: ['Administrator'] as const }
const groupAnswer = { 200: envelope(ref(Group)), ...errorResponses }
const readAccess =
  'Administrators see every group. Other users see the groups they are members of that have an active sender.'

/** The options shared by the four membership routes: Administrators only, answering the changed group. */
function membership<P extends TSchema>(operationId: string, summary: string, params: P, description?: string) {
  return {
    schema: {
      tags: ['groups'],
      summary,
      ...(description === undefined ? {} : { description }),
      operationId,
      params,
      response: groupAnswer
    },
    config: adminOnly
  }
}

export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'List groups',
        description: readAccess,
        operationId: 'groups.fetchAll',
        params: AccountParams,
        querystring: Type.Object(paginationQuery),
        response: { 200: listEnvelope(ref(Group)), ...errorResponses }
      }
    },
    async (request) => {
      const { principal } = request
      const page = await listGroups(
        app.db,
        principal.accountId,
        readableGroupIdsQuery(app.db, principal),
        request.query
      )
      return pageResponse(request.query, page, toGroup)
    }
  )

  app.post(
    '/v1/accounts/:accountId/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Create a group',
        description:
          'The API code is generated from the name when absent. isDefault: true takes the default from the current default group.',
        operationId: 'groups.create',
        params: AccountParams,
        body: GroupRequest,
        response: { 201: envelope(ref(Group)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request, reply) => {
      const group = await createGroup(app.db, request.principal.accountId, request.body, actorOf(request.principal))
      return reply.code(201).send({ success: true as const, data: toGroup(group) })
    }
  )

  app.get(
    '/v1/accounts/:accountId/groups/:groupId',
    {
      schema: {
        tags: ['groups'],
        summary: 'Fetch a group by id or API code',
        description: readAccess,
        operationId: 'groups.fetch',
        params: GroupParams,
        response: groupAnswer
      }
    },
    async (request) => {
      const { principal } = request
      const group = await assertCanReadGroup(app.db, principal, request.params.groupId)
      const details = await findGroupDetails(app.db, principal.accountId, group.id)
      if (!details) throw new ApiError('GRP-001')
      return { success: true as const, data: toGroup(details) }
    }
  )

  app.put(
    '/v1/accounts/:accountId/groups/:groupId',
    {
      schema: {
        tags: ['groups'],
        summary: 'Update a group',
        description:
          'Absent fields stay as they are. To move the default, set isDefault: true on the new default group.',
        operationId: 'groups.update',
        params: GroupParams,
        body: GroupUpdate,
        response: groupAnswer
      },
      config: adminOnly
    },
    async (request) => {
      const group = await changeGroup(
        app.db,
        request.principal.accountId,
        request.params.groupId,
        request.body,
        actorOf(request.principal)
      )
      return { success: true as const, data: toGroup(group) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/groups/:groupId',
    {
      schema: {
        tags: ['groups'],
        summary: 'Delete a group',
        description:
          'Its senders become ungrouped and its members lose access. The default group cannot be deleted (GRP-004).',
        operationId: 'groups.remove',
        params: GroupParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      await removeGroup(app.db, request.principal.accountId, request.params.groupId)
      return { success: true as const }
    }
  )

  app.put(
    '/v1/accounts/:accountId/groups/:groupId/users/:userId',
    membership(
      'groups.addUser',
      'Add a user to a group',
      GroupUserParams,
      "Idempotent. Members read the group's inbox and send from its senders, as their role allows."
    ),
    async (request) => {
      const { groupId, userId } = request.params
      const group = await addGroupUser(app.db, request.principal.accountId, groupId, userId, actorOf(request.principal))
      return { success: true as const, data: toGroup(group) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/groups/:groupId/users/:userId',
    membership('groups.removeUser', 'Remove a user from a group', GroupUserParams),
    async (request) => {
      const { groupId, userId } = request.params
      const group = await removeGroupUser(app.db, request.principal.accountId, groupId, userId)
      return { success: true as const, data: toGroup(group) }
    }
  )

  app.put(
    '/v1/accounts/:accountId/groups/:groupId/senders/:senderId',
    membership(
      'groups.addSender',
      'Add a sender to a group',
      GroupSenderParams,
      'A group holds one sender per dialling code (GRP-003); a sender in another group is refused (SNDR-003), never moved.'
    ),
    async (request) => {
      const { groupId, senderId } = request.params
      const group = await addGroupSender(
        app.db,
        request.principal.accountId,
        groupId,
        senderId,
        actorOf(request.principal)
      )
      return { success: true as const, data: toGroup(group) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/groups/:groupId/senders/:senderId',
    membership('groups.removeSender', 'Remove a sender from a group', GroupSenderParams),
    async (request) => {
      const { groupId, senderId } = request.params
      const group = await removeGroupSender(
        app.db,
        request.principal.accountId,
        groupId,
        senderId,
        actorOf(request.principal)
      )
      return { success: true as const, data: toGroup(group) }
    }
  )
}
