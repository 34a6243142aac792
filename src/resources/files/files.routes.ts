import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import type { SharedFileLimits } from '../../config.ts'
import { ApiError } from '../../errors/api-error.ts'
import { multipartUpload } from '../../shared/multipart-upload.ts'
import { actorOf } from '../../shared/principal.ts'
import { envelope, errorResponses, ref } from '../../shared/schemas.ts'
import { MESSAGE_SENDERS } from '../messages/messages.schemas.ts'
import { ShareFileResult, SharedFileParams } from './files.schemas.ts'
import { contentDisposition, sharedFile, sharedFileContent, shareFile } from './files.service.ts'

interface FileRouteOptions {
  limits: SharedFileLimits
  publicUrl?: string
}

/** Where links point: PARLEY_PUBLIC_URL, or else the address this request reached. */
function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`
}

/** POST /v1/tools/sharefile, inside the authenticated scope: the account is the token's. */
export const shareFileRoutes: FastifyPluginAsyncTypebox<FileRouteOptions> = async (app, { limits, publicUrl }) => {
  // The file reaches the route as a stream, counted against the size limit as it arrives.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
    done(null, payload)
  })
  await app.register(multipart, { limits: { fileSize: limits.maxBytes + 1024, files: 1, fields: 10 } })

  app.post(
    '/v1/tools/sharefile',
    {
      schema: {
        tags: ['tools'],
        summary: 'Share file - host a file and get a link to use in a message or as MMS media',
        description:
          'The file as multipart/form-data (field media) or an application/octet-stream body. Its bytes decide its type: images, audio, ' +
          'video, vCards and PDF are taken (FILE-001 otherwise), up to PARLEY_SHARED_FILE_MAX_BYTES (FILE-002), while the ' +
          "account's unexpired files stay within PARLEY_SHARED_FILE_QUOTA_BYTES (FILE-006). The link serves it " +
          'without a token until expires (PARLEY_SHARED_FILE_TTL_SECONDS later); housekeeping then removes it.',
        operationId: 'tools.shareFile',
        body: {
          content: {
            'multipart/form-data': {
              // Unknown: the multipart parser leaves the body undefined; the file is read from its stream.
              schema: Type.Unknown({ description: 'A form whose field media is the file (binary)' })
            },
            'application/octet-stream': { schema: Type.Unknown({ description: 'The file (binary)' }) }
          }
        },
        response: { 200: envelope(ref(ShareFileResult)), ...errorResponses }
      },
      config: { roles: MESSAGE_SENDERS }
    },
    async (request) => {
      const source = request.isMultipart()
        ? (
            await multipartUpload(
              request,
              () => new ApiError('FILE-003', 'The multipart body has no file part (media)')
            )
          ).source
        : /^application\/octet-stream\b/i.test(request.headers['content-type'] ?? '')
          ? (request.body as Readable)
          : undefined
      if (!source)
        throw new ApiError('FILE-003', 'Send the file as multipart/form-data (field media) or application/octet-stream')
      const shared = await shareFile(app.db, request.principal.accountId, source, {
        limits,
        baseUrl: baseUrl(request, publicUrl),
        actor: actorOf(request.principal)
      })
      return { success: true as const, data: shared }
    }
  )
}

/** GET /files/{token}: public, for carriers fetching MMS media. */
export const sharedFileLinkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/files/:token',
    {
      schema: {
        tags: ['tools'],
        summary: 'A shared file, by its link',
        description:
          'No token needed: the link itself is the secret. Answers the file with its content type until it expires (then FILE-005, 410). ' +
          'Images, audio and video are served inline, anything else (PDF, vCards) as an attachment; every answer is sandboxed ' +
          '(Content-Security-Policy: sandbox) and never sniffed. Downloads are limited per client address ' +
          '(PARLEY_SHARED_FILE_RATE_LIMIT_MAX a window, REQ-006).',
        operationId: 'tools.fetchSharedFile',
        params: SharedFileParams,
        response: { 200: Type.Unknown({ description: 'The file' }), ...errorResponses }
      },
      // Its own per-address budget, not the anonymous one: see the rate-limit plugin.
      config: { rateLimit: false },
      onRequest: (request, reply) => app.limitFileDownloads(request, reply)
    },
    async (request, reply) => {
      const file = await sharedFile(app.db, request.params.token)
      const remaining = Math.max(0, Math.floor((file.expires_at.getTime() - Date.now()) / 1000))
      return await reply
        .header('content-type', file.content_type)
        .header('content-length', String(file.size))
        .header('content-disposition', contentDisposition(file))
        // A file that is also HTML or script (a polyglot) runs nothing on the API's origin, even opened directly.
        .header('content-security-policy', 'sandbox')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', `public, max-age=${remaining}`)
        .send(sharedFileContent(app.db, file))
    }
  )
}
