import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { ApiError } from '../../errors/api-error.ts'
import type { VerifiedSecrets } from '../../lib/verified-secrets.ts'
import { FailedAttempts, type FailureLimits } from './failed-attempts.ts'
import { OAuthError, TokenRequest, TokenResponse } from './token.schemas.ts'
import { authenticateClient } from './token.service.ts'

const SCOPE = 'messages:send'

interface ClientCredentials {
  clientId?: string
  clientSecret?: string
}

/** RFC 6749 section 2.3.1: HTTP Basic with form-urlencoded id and secret, or the body. */
function clientCredentialsOf(request: FastifyRequest): ClientCredentials {
  const basic = /^basic\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
    const separator = decoded.indexOf(':')
    if (separator > 0) {
      try {
        return {
          clientId: decodeURIComponent(decoded.slice(0, separator).replaceAll('+', ' ')),
          clientSecret: decodeURIComponent(decoded.slice(separator + 1).replaceAll('+', ' '))
        }
      } catch {
        return {}
      }
    }
    return {}
  }
  const body = request.body as Static<typeof TokenRequest> | undefined
  return { clientId: body?.client_id, clientSecret: body?.client_secret }
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="parley"')
  return reply.code(status).send({ success: false as const, error, error_description: description })
}

/**
 * A body the endpoint cannot read (malformed JSON, an unsupported content type, a field of the wrong
 * type, a character that cannot be stored) is an RFC 6749 invalid_request in the endpoint's own shape: the app's envelope does not fit
 * this route's 400 schema, so serialising it failed with a 500. Anything else (the rate limit's
 * REQ-006, a lost database) goes on to the app's error handler.
 */
function tokenErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500
  const rateLimited = error instanceof ApiError && error.code === 'REQ-006'
  if (rateLimited || !(error.validation || (status >= 400 && status < 500))) throw error
  return oauthError(reply, error.validation ? 400 : status, 'invalid_request', error.message)
}

export interface TokenRouteOptions {
  tokenTtlSeconds: number
  /** All token requests of a client id: the API's own limit, as a client may fetch one per call. */
  rateLimit: { max: number; windowMs: number }
  failures: FailureLimits
  verifiedSecrets: VerifiedSecrets
}

export const tokenRoutes: FastifyPluginAsyncTypebox<TokenRouteOptions> = async (app, options) => {
  const failedAttempts = new FailedAttempts(options.failures, app.rateLimitRedis)

  app.post(
    '/oauth2/token',
    {
      schema: {
        tags: ['authentication'],
        summary: 'Get token for accessing APIs',
        description:
          'OAuth 2.0 client credentials grant. The client id and secret may be sent as JSON, as a form, or with HTTP Basic authentication.',
        operationId: 'auth.token',
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthError, 401: OAuthError }
      },
      errorHandler: tokenErrorHandler,
      config: {
        // Successes count like API calls of the client id (Sakari's SDK fetches a token before every
        // call); wrong secrets have their own, much smaller budgets in the handler.
        rateLimit: {
          max: options.rateLimit.max,
          timeWindow: options.rateLimit.windowMs,
          keyGenerator: (request) => {
            const { clientId } = clientCredentialsOf(request)
            return clientId ? `token:${clientId}` : `ip:${request.ip}`
          }
        }
      }
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      const grantType = request.body?.grant_type
      const { clientId, clientSecret } = clientCredentialsOf(request)
      if (!grantType) return oauthError(reply, 400, 'invalid_request', 'grant_type is required')
      if (grantType !== 'client_credentials') {
        return oauthError(reply, 400, 'unsupported_grant_type', 'Only the client_credentials grant is supported')
      }
      if (!clientId || !clientSecret)
        return oauthError(reply, 400, 'invalid_request', 'client_id and client_secret are required')

      const checked = await authenticateClient(app.db, options.verifiedSecrets, failedAttempts, {
        clientId,
        clientSecret,
        address: request.ip
      })
      if (checked.outcome === 'throttled') {
        throw new ApiError('REQ-006', 'Too many failed token requests; retry later', {
          'retry-after': String(Math.ceil(checked.retryAfterMs / 1000))
        })
      }
      if (checked.outcome === 'refused') return oauthError(reply, 401, 'invalid_client', 'Client authentication failed')
      const { credential } = checked

      const accessToken = app.jwt.sign({
        sub: credential.client_id,
        acct: credential.account_id,
        cred: credential.id,
        ...(credential.user_id ? { usr: credential.user_id } : {}),
        scope: SCOPE
      })
      return {
        access_token: accessToken,
        token_type: 'Bearer' as const,
        expires_in: options.tokenTtlSeconds,
        scope: SCOPE
      }
    }
  )
}
