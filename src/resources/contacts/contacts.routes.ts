import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import type { ImportLimits } from '../../config.ts'
import { ApiError } from '../../errors/api-error.ts'
import { pageResponse, paginationOf } from '../../shared/pagination.ts'
import { actorOf } from '../../shared/principal.ts'
import { AccountParams, envelope, errorResponses, ref } from '../../shared/schemas.ts'
import type { ImportOptions } from './csv-import.ts'
import { receiveUpload } from './contacts-upload.ts'
import { listContacts } from './contacts.repository.ts'
import {
  Contact,
  CONTACT_IMPORTERS,
  CONTACT_WRITERS,
  ContactParams,
  ContactRequest,
  ContactsQuery,
  ContactsResponse,
  ContactUpdateRequest,
  type ContactRequestShape,
  type MergeStrategy
} from './contacts.schemas.ts'
import { toContact } from './contacts.mapper.ts'
import { createContact, deleteContact, requireContact, updateContact } from './contacts.service.ts'
import { findImport } from './imports.repository.ts'
import { numberReadings } from '../../shared/phone.ts'
import { multipartUpload } from '../../shared/multipart-upload.ts'
import { ContactImport, ContactImportQuery, ContactUploadResponse, ImportAccepted } from './imports.schemas.ts'
import { toContactImport, toUploadResult } from './imports.mapper.ts'

const tags = ['contacts']
const CSV_EXAMPLE =
  'country,firstName,lastName,email,mobile,jobTitle\nUS,Joe,Bloggs,joebloggs@sakari.co,123-456-7890,mover\n'

function importOptions(given: { mergeStrategy?: string; mapping?: string; exclude?: string }): ImportOptions {
  let mapping: unknown = {}
  if (given.mapping) {
    try {
      mapping = JSON.parse(given.mapping)
    } catch {
      mapping = undefined
    }
    const valid =
      typeof mapping === 'object' &&
      mapping !== null &&
      !Array.isArray(mapping) &&
      Object.values(mapping).every((target) => typeof target === 'string')
    if (!valid) throw new ApiError('REQ-001', 'mapping must be a JSON object of column header → field name')
  }
  const mergeStrategy = (given.mergeStrategy ?? 'append') as MergeStrategy
  if (!['append', 'core', 'remove'].includes(mergeStrategy))
    throw new ApiError('REQ-001', 'mergeStrategy must be append, core or remove')
  return {
    mergeStrategy,
    mapping: mapping as Record<string, string>,
    exclude:
      given.exclude
        ?.split(',')
        .map((name) => name.trim())
        .filter(Boolean) ?? []
  }
}

export const contactRoutes: FastifyPluginAsyncTypebox<{ imports: ImportLimits }> = async (app, { imports }) => {
  // The CSV body reaches the route as a stream: a large file is never buffered whole.
  app.addContentTypeParser('text/csv', (_request, payload, done) => {
    done(null, payload)
  })
  await app.register(multipart, { limits: { fileSize: imports.maxBytes + 1, files: 1, fields: 10 } })

  app.get(
    '/v1/accounts/:accountId/contacts',
    {
      schema: {
        tags,
        summary: 'Fetch contacts',
        operationId: 'contacts.fetchAll',
        params: AccountParams,
        querystring: ContactsQuery,
        response: { 200: ref(ContactsResponse), ...errorResponses }
      }
    },
    async (request) => {
      const mobile = request.query.mobile?.trim()
      const readings = mobile ? numberReadings(mobile) : undefined
      const page = await listContacts(app.db, request.principal.accountId, request.query, readings)
      return pageResponse(request.query, page, toContact)
    }
  )

  app.post(
    '/v1/accounts/:accountId/contacts',
    {
      schema: {
        tags,
        summary: 'Create contact, or import a CSV of contacts',
        description:
          'A JSON body creates (or, for an existing mobile number, merges into) one contact and answers ContactsResponse. ' +
          'A text/csv body or a multipart upload (file part, optional mapping/exclude/mergeStrategy fields before it) imports contacts: ' +
          'small files answer 201 with ContactUploadResponse, larger ones 202 with a jobId to poll at /contacts/imports/{jobId}.',
        operationId: 'contacts.create',
        params: AccountParams,
        querystring: ContactImportQuery,
        body: {
          content: {
            'application/json': { schema: ContactRequest },
            'text/csv': {
              schema: Type.Unknown({
                description: 'CSV with a header row; Mobile and Country columns are mandatory',
                examples: [CSV_EXAMPLE]
              })
            },
            'multipart/form-data': {
              schema: Type.Unknown({ description: 'Fields mapping, exclude, mergeStrategy, then the CSV file part' })
            }
          }
        },
        response: {
          201: Type.Union([ref(ContactsResponse), ref(ContactUploadResponse)]),
          202: envelope(ImportAccepted),
          ...errorResponses
        }
      },
      config: { roles: CONTACT_WRITERS }
    },
    async (request, reply) => {
      const { accountId, role } = request.principal
      const actor = actorOf(request.principal)
      const isCsv = request.isMultipart() || /^text\/csv\b/i.test(request.headers['content-type'] ?? '')
      if (!isCsv) {
        if (typeof request.body !== 'object' || request.body === null)
          throw new ApiError('REQ-001', 'body must be a JSON contact or a CSV file')
        const contact = await createContact(
          app.db,
          accountId,
          request.body as ContactRequestShape,
          request.query.mergeStrategy,
          actor
        )
        return reply.code(201).send({
          success: true as const,
          data: [toContact(contact)],
          pagination: paginationOf({ offset: 0, limit: 1 }, 1)
        })
      }
      if (!(CONTACT_IMPORTERS as readonly string[]).includes(role)) {
        throw new ApiError('ACCT-016', `Importing contacts needs one of the roles: ${CONTACT_IMPORTERS.join(', ')}`)
      }
      const upload = request.isMultipart()
        ? await multipartUpload(request, () => new ApiError('IMP-010', 'The multipart upload has no file part'))
        : { source: request.body as Readable, fields: {} }
      const options = importOptions({ ...request.query, ...upload.fields })
      const outcome = await receiveUpload(
        { db: app.db, queue: app.deps.queue, accountId, actor, limits: imports, requestId: request.id },
        upload.source,
        options
      )
      if ('jobId' in outcome)
        return reply
          .code(202)
          .send({ success: true as const, data: { jobId: outcome.jobId, status: 'queued' as const } })
      return reply.code(201).send({ success: true as const, data: toUploadResult(outcome.tally) })
    }
  )

  app.get(
    '/v1/accounts/:accountId/contacts/:contactId',
    {
      schema: {
        tags,
        summary: 'Fetch contact by ID',
        operationId: 'contacts.fetch',
        params: ContactParams,
        response: { 200: envelope(ref(Contact)), ...errorResponses }
      }
    },
    async (request) => {
      const contact = await requireContact(app.db, request.principal.accountId, request.params.contactId)
      return { success: true as const, data: toContact(contact) }
    }
  )

  app.put(
    '/v1/accounts/:accountId/contacts/:contactId',
    {
      schema: {
        tags,
        summary: 'Updates a contact',
        description:
          'Each field given replaces the stored one (tags and attributes as whole lists); fields not given are kept. ' +
          'A new assignedUser other than the caller is emailed when their notifyOnAssignment is on.',
        operationId: 'contacts.update',
        params: ContactParams,
        body: ContactUpdateRequest,
        response: { 200: envelope(ref(Contact)), ...errorResponses }
      },
      config: { roles: CONTACT_WRITERS }
    },
    async (request) => {
      const contact = await updateContact(
        app.deps,
        request.principal.accountId,
        request.params.contactId,
        request.body,
        actorOf(request.principal)
      )
      return { success: true as const, data: toContact(contact) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/contacts/:contactId',
    {
      schema: {
        tags,
        summary: 'Deletes a contact',
        operationId: 'contacts.remove',
        params: ContactParams,
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...errorResponses }
      },
      config: { roles: CONTACT_WRITERS }
    },
    async (request) => {
      await deleteContact(app.db, request.principal.accountId, request.params.contactId)
      return { success: true as const }
    }
  )

  app.get(
    '/v1/accounts/:accountId/contacts/imports/:jobId',
    {
      schema: {
        tags,
        summary: 'Progress and final counts of a background contact import',
        operationId: 'contacts.fetchImport',
        params: Type.Object({ ...AccountParams.properties, jobId: Type.String() }),
        response: { 200: envelope(ref(ContactImport)), ...errorResponses }
      }
    },
    async (request) => {
      const row = await findImport(app.db, request.principal.accountId, request.params.jobId)
      if (!row) throw new ApiError('IMP-007', `Import job ${request.params.jobId} not found`)
      return { success: true as const, data: toContactImport(row) }
    }
  )
}
