import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pageResponse } from '../../shared/pagination.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, ref } from '../../shared/schemas.ts'
import {
  Message,
  MESSAGE_SENDERS,
  MessageParams,
  MessagesQuery,
  SendJob,
  SendJobParams,
  SendMessagesRequest,
  SendMessagesResult
} from './messages.schemas.ts'
import { fetchMessages, getMessage, getSendJob } from './messages.service.ts'
import { sendMessages } from './send/send.service.ts'

const tags = ['messages']

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/accounts/:accountId/messages',
    {
      schema: {
        tags,
        summary: 'Send messages',
        description:
          'Sends the template to contacts (by id or mobile, created when new), conversations (replies reuse their sender) and contacts matching filters, ' +
          "from the group in phoneNumberFilter.group.id (id or API code; default: the caller's default group). Each recipient is validated " +
          '(CONT-001, CONT-010, MSG-001, MSG-007, MSG-024) and invalid ones are listed with their reason. Filters matching more contacts than ' +
          'PARLEY_SEND_SYNC_MAX_RECIPIENTS are expanded in the background: follow them with GET …/messages?jobId=. ' +
          'An Idempotency-Key header makes a retry answer the first response and send nothing again (keys are kept 24 hours).',
        operationId: 'messages.send',
        params: AccountParams,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
        body: SendMessagesRequest,
        response: { 200: envelope(ref(SendMessagesResult)), ...errorResponses }
      },
      config: { roles: MESSAGE_SENDERS }
    },
    async (request, reply) => {
      const answer = await sendMessages(app.deps, request.principal, request.body, request.headers['idempotency-key'])
      if (answer.replayed) reply.header('idempotent-replayed', 'true')
      return await reply.code(answer.statusCode).send(answer.body)
    }
  )

  app.get(
    '/v1/accounts/:accountId/messages',
    {
      schema: {
        tags,
        summary: 'Fetch messages',
        description: 'Messages of the groups the caller works in, newest first.',
        operationId: 'messages.fetchAll',
        params: AccountParams,
        querystring: MessagesQuery,
        response: { 200: listEnvelope(ref(Message)), ...errorResponses }
      }
    },
    async (request) => {
      return pageResponse(request.query, await fetchMessages(app.db, request.principal, request.query))
    }
  )

  app.get(
    '/v1/accounts/:accountId/messages/:messageId',
    {
      schema: {
        tags,
        summary: 'Fetch a message',
        operationId: 'messages.fetch',
        params: MessageParams,
        response: { 200: envelope(ref(Message)), ...errorResponses }
      }
    },
    async (request) => {
      return { success: true as const, data: await getMessage(app.db, request.principal, request.params.messageId) }
    }
  )

  app.get(
    '/v1/accounts/:accountId/messages/jobs/:jobId',
    {
      schema: {
        tags,
        summary: 'Fetch a send job',
        description: 'The counts of one POST …/messages, growing while a large send expands in the background.',
        operationId: 'messages.fetchJob',
        params: SendJobParams,
        response: { 200: envelope(ref(SendJob)), ...errorResponses }
      }
    },
    async (request) => {
      return { success: true as const, data: await getSendJob(app.db, request.principal, request.params.jobId) }
    }
  )
}
