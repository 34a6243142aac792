import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../errors/api-error.ts'
import { errorCatalog, type ErrorCode } from '../errors/catalog.ts'

interface ValidationIssue {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

/** "body.mobile.number must be string": the message names the field that failed. */
function describeValidation(context: string, issue: ValidationIssue): string {
  const path = issue.instancePath.split('/').filter(Boolean)
  if (issue.keyword === 'required')
    return `${[context, ...path, String(issue.params.missingProperty)].join('.')} is required`
  if (issue.keyword === 'additionalProperties')
    return `${[context, ...path].join('.')} must not have property ${String(issue.params.additionalProperty)}`
  return `${[context, ...path].join('.')} ${issue.message ?? 'is invalid'}`
}

const statusCodes: Record<number, ErrorCode> = { 413: 'REQ-003', 415: 'REQ-004', 429: 'REQ-006', 405: 'REQ-007' }

// Losing the database (restart, failover) is a temporary condition for the caller, not a bug.
const databaseUnavailable = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006'
])

function send(reply: FastifyReply, code: ErrorCode, message: string) {
  return reply.code(errorCatalog[code].status).send({ success: false, error: { code, message } })
}

export const errorHandlerPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (error instanceof ApiError) {
        if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed')
        reply.headers(error.headers)
        return send(reply, error.code, error.message)
      }
      if (error.validation) {
        const context = error.validationContext ?? 'request'
        return send(reply, 'REQ-001', describeValidation(context, error.validation[0] as ValidationIssue))
      }
      const status = error.statusCode ?? 500
      if (status >= 400 && status < 500) {
        return send(reply, statusCodes[status] ?? 'REQ-002', error.message)
      }
      if (databaseUnavailable.has(String(error.code))) {
        request.log.warn({ err: error }, 'database unavailable')
        reply.header('retry-after', '5')
        return send(reply, 'SYS-002', 'The database is unavailable; try again shortly')
      }
      request.log.error({ err: error }, 'unexpected error')
      return send(reply, 'SYS-001', errorCatalog['SYS-001'].message)
    })

    app.setNotFoundHandler((request, reply) => {
      return send(reply, 'REQ-005', `Route ${request.method} ${request.url.split('?')[0]} not found`)
    })
  },
  { name: 'error-handler' }
)
