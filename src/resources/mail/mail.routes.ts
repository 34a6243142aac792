import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError } from '../../errors/api-error.ts'
import { pageResponse } from '../../shared/pagination.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, ref } from '../../shared/schemas.ts'
import { findMail, listMail } from './mail.repository.ts'
import { Mail, MailParams, MailQuery, toMail } from './mail.schemas.ts'

// Mail holds links that act for its recipient (an invitation, a reset), so only Administrators read it.
const adminOnly = { roles: ['Administrator'] as const }
const tags = ['mail']

export const mailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/mail',
    {
      schema: {
        tags,
        summary: "List the account's outgoing mail",
        description:
          'Newest first. Without an SMTP server (PARLEY_SMTP_URL) every mail is kept here, for development and ' +
          'installations without mail; with one, each shows whether it was sent, is pending or failed.',
        operationId: 'mail.fetchAll',
        params: AccountParams,
        querystring: MailQuery,
        response: { 200: listEnvelope(ref(Mail)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const page = await listMail(app.db, request.principal.accountId, request.query)
      return pageResponse(request.query, page, toMail)
    }
  )

  app.get(
    '/v1/accounts/:accountId/mail/:mailId',
    {
      schema: {
        tags,
        summary: 'Fetch one outgoing mail',
        operationId: 'mail.fetch',
        params: MailParams,
        response: { 200: envelope(ref(Mail)), ...errorResponses }
      },
      config: adminOnly
    },
    async (request) => {
      const mail = await findMail(app.db, request.principal.accountId, request.params.mailId)
      if (!mail) throw new ApiError('MAIL-001')
      return { success: true as const, data: toMail(mail) }
    }
  )
}
