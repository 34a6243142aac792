import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../shared/principal.ts'
import { envelope, errorResponses, ref } from '../../shared/schemas.ts'
import { CONTACT_IMPORTERS } from '../contacts/contacts.schemas.ts'
import { IntegrationParams, SyncRequest, SyncResult } from './integrations.schemas.ts'
import { syncContacts } from './integrations.service.ts'

export const integrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/accounts/:accountId/integrations/:integration/contacts/sync',
    {
      schema: {
        tags: ['integrations'],
        summary: "Sync a batch of an integration's contact records",
        description:
          'Each unique phone number becomes one contact, synced with the record of lowest id that carries it; ' +
          'the other records with that number are reported in notLinked. A number already synced stays with its record: ' +
          'later batches update that contact from that record and report other records. New numbers are added.',
        operationId: 'integrations.syncContacts',
        params: IntegrationParams,
        body: SyncRequest,
        response: { 200: envelope(ref(SyncResult)), ...errorResponses }
      },
      config: { roles: CONTACT_IMPORTERS }
    },
    async (request) => {
      const { integration } = request.params
      const actor = { ...actorOf(request.principal), source: 'integration', subSource: integration }
      const result = await syncContacts(app.db, request.principal.accountId, integration, request.body.records, actor)
      return { success: true as const, data: result }
    }
  )
}
