import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pageResponse } from '../../shared/pagination.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, paginationQuery, ref } from '../../shared/schemas.ts'
import { listTemplates } from './templates.repository.ts'
import { Template, TemplateListQuery, TemplateParams, TemplateRequest, TemplateUpdate } from './templates.schemas.ts'
import { toTemplate } from './templates.mapper.ts'
import { changeTemplate, createTemplate, getTemplate, removeTemplate } from './templates.service.ts'

const writers = { roles: ['Administrator', 'Campaign Manager'] as const }

export const templateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/accounts/:accountId/templates',
    {
      schema: {
        tags: ['templates'],
        summary: 'Fetch templates',
        operationId: 'templates.fetchAll',
        params: AccountParams,
        querystring: Type.Object({ ...paginationQuery, ...TemplateListQuery.properties }),
        response: { 200: listEnvelope(ref(Template)), ...errorResponses }
      }
    },
    async (request) => {
      const page = await listTemplates(app.db, request.principal.accountId, request.query)
      return pageResponse(request.query, page, toTemplate)
    }
  )

  app.post(
    '/v1/accounts/:accountId/templates',
    {
      schema: {
        tags: ['templates'],
        summary: 'Create template',
        description:
          "Answers a one-item list, as Sakari's reference does (TemplatesResponse). A template with a mustache syntax error is refused with TMPL-002.",
        operationId: 'templates.create',
        params: AccountParams,
        body: ref(TemplateRequest),
        response: { 201: listEnvelope(ref(Template)), ...errorResponses }
      },
      config: writers
    },
    async (request, reply) => {
      const template = await createTemplate(
        app.db,
        request.principal.accountId,
        request.body,
        actorOf(request.principal)
      )
      return reply
        .code(201)
        .send(pageResponse({ offset: 0, limit: 1 }, { items: [toTemplate(template)], totalCount: 1 }))
    }
  )

  app.get(
    '/v1/accounts/:accountId/templates/:templateId',
    {
      schema: {
        tags: ['templates'],
        summary: 'Fetch template by ID',
        operationId: 'templates.fetch',
        params: TemplateParams,
        response: { 200: envelope(ref(Template)), ...errorResponses }
      }
    },
    async (request) => {
      const template = await getTemplate(app.db, request.principal.accountId, request.params.templateId)
      return { success: true as const, data: toTemplate(template) }
    }
  )

  app.put(
    '/v1/accounts/:accountId/templates/:templateId',
    {
      schema: {
        tags: ['templates'],
        summary: 'Updates a template',
        description: 'Changes the fields given and keeps the others.',
        operationId: 'templates.update',
        params: TemplateParams,
        body: TemplateUpdate,
        response: { 200: envelope(ref(Template)), ...errorResponses }
      },
      config: writers
    },
    async (request) => {
      const template = await changeTemplate(
        app.db,
        request.principal.accountId,
        request.params.templateId,
        request.body ?? {},
        actorOf(request.principal)
      )
      return { success: true as const, data: toTemplate(template) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/templates/:templateId',
    {
      schema: {
        tags: ['templates'],
        summary: 'Deletes a template',
        operationId: 'templates.remove',
        params: TemplateParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: writers
    },
    async (request) => {
      await removeTemplate(app.db, request.principal.accountId, request.params.templateId)
      return { success: true as const }
    }
  )
}
