import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageResponse } from '../../shared/pagination.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, ref } from '../../shared/schemas.ts'
import { MESSAGE_SENDERS } from '../messages/messages.schemas.ts'
import { releaseConversationLock, takeConversationLock } from './conversation-locks.ts'
import {
  AssigneeRequest,
  Conversation,
  ConversationParams,
  ConversationsQuery,
  LockQuery
} from './conversations.schemas.ts'
import {
  assignConversation,
  closeConversation,
  fetchConversations,
  getConversation,
  readConversation
} from './conversations.service.ts'

const tags = ['conversations']

/** A group's inbox: conversations between its senders and contacts. Only members see them. */
export const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/conversations',
    {
      schema: {
        tags,
        summary: 'Fetch conversations',
        description: 'Conversations of the groups the caller works in, most recent message first.',
        operationId: 'conversations.fetchAll',
        params: AccountParams,
        querystring: ConversationsQuery,
        response: { 200: listEnvelope(ref(Conversation)), ...errorResponses }
      }
    },
    async (request) => {
      return pageResponse(request.query, await fetchConversations(app.db, request.principal, request.query))
    }
  )

  app.get(
    '/v1/accounts/:accountId/conversations/:conversationId',
    {
      schema: {
        tags,
        summary: 'Fetch a conversation',
        operationId: 'conversations.fetch',
        params: ConversationParams,
        response: { 200: envelope(ref(Conversation)), ...errorResponses }
      }
    },
    async (request) => {
      return {
        success: true as const,
        data: await getConversation(app.db, request.principal, request.params.conversationId)
      }
    }
  )

  app.put(
    '/v1/accounts/:accountId/conversations/:conversationId/close',
    {
      schema: {
        tags,
        summary: 'Close a conversation',
        description:
          "Moves it to the group's archive (event conversation-closed). An inbound message reopens it; an outbound send starts a new conversation.",
        operationId: 'conversations.close',
        params: ConversationParams,
        response: { 200: envelope(ref(Conversation)), ...errorResponses }
      },
      config: { roles: MESSAGE_SENDERS }
    },
    async (request) => {
      return {
        success: true as const,
        data: await closeConversation(app.db, request.principal, request.params.conversationId)
      }
    }
  )

  app.post(
    '/v1/accounts/:accountId/conversations/:conversationId/read',
    {
      schema: {
        tags,
        summary: 'Mark a conversation read for the caller',
        description: 'Needs an acting user (a user-bound credential, or X-Parley-User-Email): read state is per user.',
        operationId: 'conversations.read',
        params: ConversationParams,
        response: { 200: envelope(ref(Conversation)), ...errorResponses }
      }
    },
    async (request) => {
      return {
        success: true as const,
        data: await readConversation(app.db, request.principal, request.params.conversationId)
      }
    }
  )

  app.post(
    '/v1/accounts/:accountId/conversations/:conversationId/lock',
    {
      schema: {
        tags,
        summary: 'Lock a conversation while replying',
        description:
          'Takes the lock for the acting user, or extends it when they hold it (call it as a heartbeat while they type or read). ' +
          'It lapses after PARLEY_LOCK_SECONDS without activity; sending a reply extends it. While another user holds it, taking it and sending into the conversation answer 409 LOCK-001 naming the holder.',
        operationId: 'conversations.lock',
        params: ConversationParams,
        response: { 200: envelope(ref(Conversation)), ...errorResponses }
      },
      config: { roles: MESSAGE_SENDERS }
    },
    async (request) => {
      return {
        success: true as const,
        data: await takeConversationLock(app.deps, request.principal, request.params.conversationId)
      }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/conversations/:conversationId/lock',
    {
      schema: {
        tags,
        summary: "Release a conversation's lock",
        description:
          "Its holder releases it. An Administrator breaks another user's lock with `break=true` (event conversation-lock-released with `broken: true`); anyone else gets 409 LOCK-001.",
        operationId: 'conversations.unlock',
        params: ConversationParams,
        querystring: LockQuery,
        response: { 200: envelope(ref(Conversation)), ...errorResponses }
      },
      config: { roles: MESSAGE_SENDERS }
    },
    async (request) => {
      return {
        success: true as const,
        data: await releaseConversationLock(
          app.deps,
          request.principal,
          request.params.conversationId,
          request.query.break ?? false
        )
      }
    }
  )

  app.put(
    '/v1/accounts/:accountId/conversations/:conversationId/assignee',
    {
      schema: {
        tags,
        summary: 'Assign a conversation',
        description:
          "Sets the contact's assigned user (a member of the conversation's group, else 400 CONV-003) or, with null, unassigns it. Event conversation-assigned. " +
          "The contact's assignee shows in every group with a conversation with the contact of which that user is a member: when the change would show in such a group that the caller does not work in, it is refused with 403 CONV-005. " +
          'A new assignee other than the caller is emailed when their notifyOnAssignment is on.',
        operationId: 'conversations.assign',
        params: ConversationParams,
        body: AssigneeRequest,
        response: { 200: envelope(ref(Conversation)), ...errorResponses }
      },
      config: { roles: MESSAGE_SENDERS }
    },
    async (request) => {
      return {
        success: true as const,
        data: await assignConversation(app.deps, request.principal, request.params.conversationId, request.body.userId)
      }
    }
  )
}
