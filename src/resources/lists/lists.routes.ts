import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pageResponse } from '../../shared/pagination.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, ref } from '../../shared/schemas.ts'
import { Contact } from '../contacts/contacts.schemas.ts'
import { toContact } from '../contacts/contacts.mapper.ts'
import {
  List,
  LIST_WRITERS,
  ListMemberParams,
  ListMembersQuery,
  ListMembersRequest,
  ListParams,
  ListRequest,
  ListsQuery,
  ListUpdate,
  MemberChange
} from './lists.schemas.ts'
import {
  addMembers,
  changeList,
  createList,
  fetchLists,
  fetchMembers,
  getList,
  removeList,
  removeMember
} from './lists.service.ts'

const tags = ['lists']
const writers = { roles: LIST_WRITERS }

export const listRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/lists',
    {
      schema: {
        tags,
        summary: 'Fetch lists',
        description: 'Lists with their member counts, oldest first.',
        operationId: 'lists.fetchAll',
        params: AccountParams,
        querystring: ListsQuery,
        response: { 200: listEnvelope(ref(List)), ...errorResponses }
      }
    },
    async (request) => pageResponse(request.query, await fetchLists(app.db, request.principal.accountId, request.query))
  )

  app.post(
    '/v1/accounts/:accountId/lists',
    {
      schema: {
        tags,
        summary: 'Create list',
        description:
          'A static list (members given by contact id, here or later) or a dynamic one (a filter: q, tags, attributes, valid/blocked, ' +
          'evaluated each time the list is used). A list is the audience of a send, a campaign or a quick campaign (filters.list, listId).',
        operationId: 'lists.create',
        params: AccountParams,
        body: ListRequest,
        response: { 201: envelope(ref(List)), ...errorResponses }
      },
      config: writers
    },
    async (request, reply) => {
      const list = await createList(app.db, request.principal.accountId, request.body, actorOf(request.principal))
      return reply.code(201).send({ success: true as const, data: list })
    }
  )

  app.get(
    '/v1/accounts/:accountId/lists/:listId',
    {
      schema: {
        tags,
        summary: 'Fetch list by ID',
        operationId: 'lists.fetch',
        params: ListParams,
        response: { 200: envelope(ref(List)), ...errorResponses }
      }
    },
    async (request) => ({
      success: true as const,
      data: await getList(app.db, request.principal.accountId, request.params.listId)
    })
  )

  app.put(
    '/v1/accounts/:accountId/lists/:listId',
    {
      schema: {
        tags,
        summary: 'Updates a list',
        description: "Changes the name, or a dynamic list's filter; a list stays static or dynamic.",
        operationId: 'lists.update',
        params: ListParams,
        body: ListUpdate,
        response: { 200: envelope(ref(List)), ...errorResponses }
      },
      config: writers
    },
    async (request) => ({
      success: true as const,
      data: await changeList(
        app.db,
        request.principal.accountId,
        request.params.listId,
        request.body ?? {},
        actorOf(request.principal)
      )
    })
  )

  app.delete(
    '/v1/accounts/:accountId/lists/:listId',
    {
      schema: {
        tags,
        summary: 'Deletes a list',
        description: 'The contacts stay; only the list and its memberships go.',
        operationId: 'lists.remove',
        params: ListParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: writers
    },
    async (request) => {
      await removeList(app.db, request.principal.accountId, request.params.listId)
      return { success: true as const }
    }
  )

  app.get(
    '/v1/accounts/:accountId/lists/:listId/contacts',
    {
      schema: {
        tags,
        summary: 'Fetch list members',
        description: "The list's contacts (a dynamic list's: the contacts its filter matches now), in id order.",
        operationId: 'lists.fetchContacts',
        params: ListParams,
        querystring: ListMembersQuery,
        response: { 200: listEnvelope(ref(Contact)), ...errorResponses }
      }
    },
    async (request) =>
      pageResponse(
        request.query,
        await fetchMembers(app.db, request.principal.accountId, request.params.listId, request.query),
        toContact
      )
  )

  app.post(
    '/v1/accounts/:accountId/lists/:listId/contacts',
    {
      schema: {
        tags,
        summary: 'Add contacts to a list',
        description: 'Adds contacts by id to a static list; contacts already in it stay once.',
        operationId: 'lists.addContacts',
        params: ListParams,
        body: ListMembersRequest,
        response: { 200: envelope(MemberChange), ...errorResponses }
      },
      config: writers
    },
    async (request) => ({
      success: true as const,
      data: await addMembers(app.db, request.principal.accountId, request.params.listId, request.body.contacts)
    })
  )

  app.delete(
    '/v1/accounts/:accountId/lists/:listId/contacts/:contactId',
    {
      schema: {
        tags,
        summary: 'Remove a contact from a list',
        operationId: 'lists.removeContact',
        params: ListMemberParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: writers
    },
    async (request) => {
      await removeMember(app.db, request.principal.accountId, request.params.listId, request.params.contactId)
      return { success: true as const }
    }
  )
}
