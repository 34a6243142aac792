import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import { ApiError } from '../../errors/api-error.ts'
import { multipartUpload } from '../../shared/multipart-upload.ts'
import { pageResponse } from '../../shared/pagination.ts'
import { AccountParams, envelope, errorResponses, listEnvelope, ref } from '../../shared/schemas.ts'
import { ContactUploadResult, ImportAccepted } from '../contacts/imports.schemas.ts'
import { uploadToCampaign } from './campaign-upload.ts'
import {
  Campaign,
  CAMPAIGN_MANAGERS,
  CampaignJob,
  CampaignParams,
  CampaignRequest,
  CampaignsQuery,
  CampaignUpdate,
  QuickCampaignRequest
} from './campaigns.schemas.ts'
import {
  campaignView,
  changeCampaign,
  createCampaign,
  executeCampaign,
  fetchCampaigns,
  getCampaign,
  quickCampaign,
  removeCampaign
} from './campaigns.service.ts'

const tags = ['campaigns']
const managers = { roles: CAMPAIGN_MANAGERS }
const idempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 }))
})

export const campaignRoutes: FastifyPluginAsyncTypebox<{ importMaxBytes: number }> = async (
  app,
  { importMaxBytes }
) => {
  // The CSV of a file-upload run reaches the route as a stream, as a contact import does.
  app.addContentTypeParser('text/csv', (_request, payload, done) => {
    done(null, payload)
  })
  await app.register(multipart, { limits: { fileSize: importMaxBytes + 1, files: 1, fields: 10 } })

  app.get(
    '/v1/accounts/:accountId/campaigns',
    {
      schema: {
        tags,
        summary: 'Fetch campaigns',
        operationId: 'campaigns.fetchAll',
        params: AccountParams,
        querystring: CampaignsQuery,
        response: { 200: listEnvelope(ref(Campaign)), ...errorResponses }
      }
    },
    async (request) =>
      pageResponse(request.query, await fetchCampaigns(app.db, request.principal.accountId, request.query))
  )

  app.post(
    '/v1/accounts/:accountId/campaigns',
    {
      schema: {
        tags,
        summary: 'Create campaign',
        description:
          'A saved message for an audience (filters: contacts, tags, attributes, list). trigger.code M runs when executed, ' +
          'S on schedule.cron in schedule.timezone (until paused), FU on each CSV file uploaded to it (fieldMappings map its columns).',
        operationId: 'campaigns.create',
        params: AccountParams,
        body: CampaignRequest,
        response: { 201: envelope(ref(Campaign)), ...errorResponses }
      },
      config: managers
    },
    async (request, reply) => {
      const campaign = await createCampaign(app.db, request.principal, request.body)
      return reply
        .code(201)
        .send({ success: true as const, data: await campaignView(app.db, request.principal.accountId, campaign) })
    }
  )

  app.get(
    '/v1/accounts/:accountId/campaigns/:campaignId',
    {
      schema: {
        tags,
        summary: 'Fetch campaign by ID',
        operationId: 'campaigns.fetch',
        params: CampaignParams,
        response: { 200: envelope(ref(Campaign)), ...errorResponses }
      }
    },
    async (request) => ({
      success: true as const,
      data: await getCampaign(app.db, request.principal.accountId, request.params.campaignId)
    })
  )

  app.put(
    '/v1/accounts/:accountId/campaigns/:campaignId',
    {
      schema: {
        tags,
        summary: 'Updates a campaign',
        description: 'Changes the fields given and keeps the others; paused: true stops a scheduled campaign.',
        operationId: 'campaigns.update',
        params: CampaignParams,
        body: Type.Optional(CampaignUpdate),
        response: { 200: envelope(ref(Campaign)), ...errorResponses }
      },
      config: managers
    },
    async (request) => ({
      success: true as const,
      data: await changeCampaign(app.db, request.principal, request.params.campaignId, request.body ?? {})
    })
  )

  app.delete(
    '/v1/accounts/:accountId/campaigns/:campaignId',
    {
      schema: {
        tags,
        summary: 'Deletes a campaign',
        description: 'Messages already sent by its runs stay.',
        operationId: 'campaigns.remove',
        params: CampaignParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: managers
    },
    async (request) => {
      await removeCampaign(app.db, request.principal.accountId, request.params.campaignId)
      return { success: true as const }
    }
  )

  app.post(
    '/v1/accounts/:accountId/campaigns/:campaignId/execute',
    {
      schema: {
        tags,
        summary: 'Execute a campaign',
        description:
          'Runs the campaign now as one send job (the same pipeline and checks as POST …/messages) and answers the job; ' +
          'follow its messages with GET …/messages?jobId=. File-upload campaigns run on POST …/upload instead (CAMP-004). ' +
          'An Idempotency-Key header makes a retry answer the first run.',
        operationId: 'campaigns.execute',
        params: CampaignParams,
        headers: idempotencyHeader,
        response: { 200: envelope(ref(CampaignJob)), ...errorResponses }
      },
      config: managers
    },
    async (request, reply) => {
      const answer = await executeCampaign(
        app.deps,
        request.principal,
        request.params.campaignId,
        request.headers['idempotency-key']
      )
      if (answer.replayed) reply.header('idempotent-replayed', 'true')
      return await reply.code(answer.statusCode).send(answer.body)
    }
  )

  app.post(
    '/v1/accounts/:accountId/campaigns/:campaignId/upload',
    {
      schema: {
        tags,
        summary: 'Upload a file to a file-upload campaign',
        description:
          "A CSV (text/csv body, or a multipart file part) whose rows become or update contacts as a contact import does, mapped by the campaign's " +
          'fieldMappings (Mobile and Country are mandatory); the campaign then sends to exactly those contacts. Small files answer 201 with the ' +
          'import counts and the job; larger ones 202 with the import jobId, and the campaign runs when the import finishes.',
        operationId: 'campaigns.upload',
        params: CampaignParams,
        body: {
          content: {
            'text/csv': { schema: Type.Unknown({ examples: ['country,firstName,mobile\nUS,Joe,123-456-7890\n'] }) },
            'multipart/form-data': { schema: Type.Unknown({ description: 'The CSV file part' }) }
          }
        },
        response: {
          201: envelope(
            Type.Object({ upload: ref(ContactUploadResult), job: Type.Union([ref(CampaignJob), Type.Null()]) })
          ),
          202: envelope(ImportAccepted),
          ...errorResponses
        }
      },
      config: managers
    },
    async (request, reply) => {
      const source = request.isMultipart()
        ? (await multipartUpload(request, () => new ApiError('IMP-010', 'The multipart upload has no file part')))
            .source
        : /^text\/csv\b/i.test(request.headers['content-type'] ?? '')
          ? (request.body as Readable)
          : undefined
      if (!source) throw new ApiError('IMP-010', 'Send the CSV as a text/csv body or a multipart file part')
      const outcome = await uploadToCampaign(app.deps, request.principal, request.params.campaignId, source, request.id)
      if ('importJobId' in outcome)
        return reply
          .code(202)
          .send({ success: true as const, data: { jobId: outcome.importJobId, status: 'queued' as const } })
      return reply.code(201).send({ success: true as const, data: outcome })
    }
  )

  app.post(
    '/v1/accounts/:accountId/quickcampaigns',
    {
      schema: {
        tags,
        summary: 'Create and execute a campaign',
        description:
          'Creates a manual campaign sending message to the list from the group, and runs it at once (or at sendAt): answers {campaign, job}.',
        operationId: 'campaigns.quick',
        params: AccountParams,
        headers: idempotencyHeader,
        body: QuickCampaignRequest,
        response: {
          201: envelope(Type.Object({ campaign: ref(Campaign), job: ref(CampaignJob) })),
          ...errorResponses
        }
      },
      config: managers
    },
    async (request, reply) => {
      const answer = await quickCampaign(app.deps, request.principal, request.body, request.headers['idempotency-key'])
      if (answer.replayed) reply.header('idempotent-replayed', 'true')
      return await reply.code(answer.statusCode).send(answer.body)
    }
  )
}
