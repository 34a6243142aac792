import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../errors/api-error.ts'
import { errorCatalog, type ErrorCode } from '../errors/catalog.ts'
import { RouteMethods } from './route-methods.ts'

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

const statusCodes: Record<number, ErrorCode> = {
  413: 'REQ-003',
  414: 'REQ-010',
  415: 'REQ-004',
  429: 'REQ-006',
  405: 'REQ-007',
  431: 'REQ-011'
}

// The framework's and Node's own messages quote the request (the URL of a 414, a header's bytes):
// these answers say what was wrong in the catalogue's words instead.
const ownWords = new Set<ErrorCode>(['REQ-009', 'REQ-010', 'REQ-011'])

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

const MAX_ECHOED_PATH = 100

/** Errors the router raises before any route runs, e.g. a malformed percent-encoding in the path. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'REQ-010' : 'REQ-009'
  send(reply, code, errorCatalog[code].message)
}

const clientErrors: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'REQ-011',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQ-012'
}

/**
 * Requests Node's HTTP parser refuses (a header line with a NUL byte, headers or a request line
 * over the size limit) never reach Fastify; this answers them in the envelope on the raw socket.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const code = clientErrors[error.code ?? ''] ?? 'REQ-009'
  const { status, message } = errorCatalog[code]
  const body = JSON.stringify({ success: false, error: { code, message } })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    )
  }
  socket.destroy(error)
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
        const code = statusCodes[status] ?? 'REQ-002'
        return send(reply, code, ownWords.has(code) ? errorCatalog[code].message : error.message)
      }
      if (databaseUnavailable.has(String(error.code))) {
        request.log.warn({ err: error }, 'database unavailable')
        reply.header('retry-after', '5')
        return send(reply, 'SYS-002', 'The database is unavailable; try again shortly')
      }
      request.log.error({ err: error }, 'unexpected error')
      return send(reply, 'SYS-001', errorCatalog['SYS-001'].message)
    })

    // Every route registered after this plugin (all of them: it is registered first), by method.
    const routeMethods = new RouteMethods()
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routeMethods.add(method, route.url)
    })

    // Probing for routes is anonymous traffic: it counts against the caller's address. A known path
    // called with a method it does not take is 405 with the methods it does take, which tells the
    // caller what to fix; a path no route has is 404.
    app.setNotFoundHandler(
      { preHandler: (request: FastifyRequest, reply: FastifyReply) => app.limitAnonymous(request, reply) },
      (request, reply) => {
        const path = request.url.split('?')[0]!
        const shown = path.length > MAX_ECHOED_PATH ? `${path.slice(0, MAX_ECHOED_PATH)}…` : path
        const allowed = routeMethods.allowed(path)
        if (allowed.length === 0) return send(reply, 'REQ-005', `Route ${request.method} ${shown} not found`)
        reply.header('allow', allowed.join(', '))
        return send(
          reply,
          'REQ-007',
          `Method ${request.method} is not allowed on ${shown}; it takes ${allowed.join(', ')}`
        )
      }
    )
  },
  { name: 'error-handler' }
)
