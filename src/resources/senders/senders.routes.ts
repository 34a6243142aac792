import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ApiError } from '../../errors/api-error.ts'
import { pageResponse } from '../../shared/pagination.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { readableGroupIdsQuery } from '../groups/group-access.ts'
import { deleteSender, findSenderDetails, listSenders } from './senders.repository.ts'
import { Sender, SenderParams, SenderRequest, SenderStatusRequest, SenderUpdate } from './senders.schemas.ts'
import { toSender } from './senders.mapper.ts'
import { changeSender, createSender } from './senders.service.ts'

const adminOnly = { roles: ['Administrator'] as const }
const readAccess = 'Administrators see every sender; other users see the senders of the groups they can use.'

export const senderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/senders',
    {
      schema: {
        tags: ['senders'],
        summary: 'List senders',
        description: readAccess,
        operationId: 'senders.fetchAll',
        params: AccountParams,
        querystring: Type.Object(paginationQuery),
        response: { 200: listEnvelope(ref(Sender)), ...errorResponses }
      }
    },
    async (request) => {
      const { principal } = request
      const page = await listSenders(
        app.db,
        principal.accountId,
        readableGroupIdsQuery(app.db, principal),
        request.query
      )
      return pageResponse(request.query, page, toSender)
    }
  )

  app.post(
    '/v1/accounts/:accountId/senders',
    {
      schema: {
        tags: ['senders'],
        summary: 'Add a sender',
        description:
          "A number is a sender of one account at most. The account's first sender joins its default group. " +
          "On a carrier of PARLEY_CARRIERS, only a number the installation assigns to the account there (the carrier's `accounts`), else 403 SNDR-006; the sandbox takes any.",
        operationId: 'senders.create',
        params: AccountParams,
        body: SenderRequest,
        response: { 201: envelope(ref(Sender)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request, reply) => {
      const sender = await createSender(app.deps, request.principal.accountId, request.body, actorOf(request.principal))
      return reply.code(201).send({ success: true as const, data: toSender(sender) })
    }
  )

  app.get(
    '/v1/accounts/:accountId/senders/:senderId',
    {
      schema: {
        tags: ['senders'],
        summary: 'Fetch a sender',
        description: readAccess,
        operationId: 'senders.fetch',
        params: SenderParams,
        response: { 200: envelope(ref(Sender)), ...errorResponses }
      }
    },
    async (request) => {
      const { principal } = request
      const sender = await findSenderDetails(
        app.db,
        principal.accountId,
        request.params.senderId,
        readableGroupIdsQuery(app.db, principal)
      )
      if (!sender) throw new ApiError('SNDR-001')
      return { success: true as const, data: toSender(sender) }
    }
  )

  app.put(
    '/v1/accounts/:accountId/senders/:senderId',
    {
      schema: {
        tags: ['senders'],
        summary: 'Update a sender',
        operationId: 'senders.update',
        params: SenderParams,
        body: SenderUpdate,
        response: { 200: envelope(ref(Sender)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const sender = await changeSender(
        app.deps,
        request.principal.accountId,
        request.params.senderId,
        request.body,
        actorOf(request.principal)
      )
      return { success: true as const, data: toSender(sender) }
    }
  )

  app.put(
    '/v1/accounts/:accountId/senders/:senderId/status',
    {
      schema: {
        tags: ['senders'],
        summary: "Set a sender's registration status",
        // Registration happens outside Parley (carrier portals, LOAs), so an Administrator may record any
        // step, including going back (e.g. a resubmission after `rejected`).
        description:
          'Any transition is allowed: Parley records the registration state reached with the carrier. Only active senders send. ' +
          'Becoming active needs a number the installation still assigns to the account on its carrier (403 SNDR-006).',
        operationId: 'senders.updateStatus',
        params: SenderParams,
        body: SenderStatusRequest,
        response: { 200: envelope(ref(Sender)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const sender = await changeSender(
        app.deps,
        request.principal.accountId,
        request.params.senderId,
        { status: request.body.status },
        actorOf(request.principal)
      )
      return { success: true as const, data: toSender(sender) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/senders/:senderId',
    {
      schema: {
        tags: ['senders'],
        summary: 'Remove a sender',
        description: 'The sender leaves its group and its number can be added again; messages sent from it keep it.',
        operationId: 'senders.remove',
        params: SenderParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      if (
        !(await deleteSender(app.db, request.principal.accountId, request.params.senderId, actorOf(request.principal)))
      )
        throw new ApiError('SNDR-001')
      return { success: true as const }
    }
  )
}
