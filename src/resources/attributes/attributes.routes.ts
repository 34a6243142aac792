import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pageResponse } from '../../shared/pagination.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { listAttributes } from './attributes.repository.ts'
import {
  Attribute,
  AttributeDeleteQuery,
  AttributeParams,
  AttributeRequest,
  AttributeUpdateRequest
} from './attributes.schemas.ts'
import { toAttribute } from './attributes.mapper.ts'
import { changeAttribute, createAttribute, removeAttribute, requireAttribute } from './attributes.service.ts'

const definers = { roles: ['Administrator', 'Campaign Manager'] as const }
const tags = ['attributes']

export const attributeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const list = async (request: { principal: { accountId: string }; query: { offset: number; limit: number } }) => {
    const page = await listAttributes(app.db, request.principal.accountId, request.query)
    return pageResponse(request.query, page, toAttribute)
  }

  app.get(
    '/v1/accounts/:accountId/attributes',
    {
      schema: {
        tags,
        summary: 'Fetch custom attribute definitions of every type',
        operationId: 'attributes.fetchAll',
        params: AccountParams,
        querystring: Type.Object(paginationQuery),
        response: { 200: listEnvelope(ref(Attribute)), ...errorResponses }
      }
    },
    list
  )

  app.get(
    '/v1/accounts/:accountId/attributes/contacts',
    {
      schema: {
        tags,
        summary: 'Fetch contact attribute definitions',
        operationId: 'attributes.fetchByType',
        params: AccountParams,
        querystring: Type.Object(paginationQuery),
        response: { 200: listEnvelope(ref(Attribute)), ...errorResponses }
      }
    },
    list
  )

  app.post(
    '/v1/accounts/:accountId/attributes/contacts',
    {
      schema: {
        tags,
        summary: 'Define a contact attribute',
        operationId: 'attributes.create',
        params: AccountParams,
        body: AttributeRequest,
        response: { 201: envelope(ref(Attribute)), ...errorResponses }
      },
      config: definers
    },
    async (request, reply) => {
      const row = await createAttribute(app.db, request.principal.accountId, request.body, actorOf(request.principal))
      return reply.code(201).send({ success: true as const, data: toAttribute(row) })
    }
  )

  app.get(
    '/v1/accounts/:accountId/attributes/contacts/:attributeId',
    {
      schema: {
        tags,
        summary: 'Fetch a contact attribute definition',
        operationId: 'attributes.fetch',
        params: AttributeParams,
        response: { 200: envelope(ref(Attribute)), ...errorResponses }
      }
    },
    async (request) => {
      const row = await requireAttribute(app.db, request.principal.accountId, request.params.attributeId)
      return { success: true as const, data: toAttribute(row) }
    }
  )

  app.put(
    '/v1/accounts/:accountId/attributes/contacts/:attributeId',
    {
      schema: {
        tags,
        summary: 'Update a contact attribute definition',
        description: 'The label can always change; name and dataType only while no contact has a value (ATTR-005).',
        operationId: 'attributes.update',
        params: AttributeParams,
        body: AttributeUpdateRequest,
        response: { 200: envelope(ref(Attribute)), ...errorResponses }
      },
      config: definers
    },
    async (request) => {
      const row = await changeAttribute(
        app.db,
        request.principal.accountId,
        request.params.attributeId,
        request.body,
        actorOf(request.principal)
      )
      return { success: true as const, data: toAttribute(row) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/attributes/contacts/:attributeId',
    {
      schema: {
        tags,
        summary: 'Delete a contact attribute definition',
        description:
          'Refused with ATTR-005 while contacts hold values, unless removeValues=true, which removes those values from every contact in the same transaction, with a contact-updated event for each.',
        operationId: 'attributes.remove',
        params: AttributeParams,
        querystring: AttributeDeleteQuery,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: definers
    },
    async (request) => {
      await removeAttribute(
        app.db,
        request.principal.accountId,
        request.params.attributeId,
        request.query.removeValues,
        actorOf(request.principal)
      )
      return { success: true as const }
    }
  )
}
