import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../errors/api-error.ts'
import { findUnstorable, jsonNestingExceeds } from '../lib/unstorable.ts'

// Sakari's bodies nest a few levels (filters, attributes); 64 leaves room for any real client while
// a body nested thousands of levels deep is refused before anything walks it recursively.
export const MAX_JSON_DEPTH = 64

function rejectUnstorable(value: unknown, root: string): void {
  const problem = findUnstorable(value, root)
  if (!problem) return
  throw new ApiError(problem.endsWith('finite number') ? 'REQ-001' : 'REQ-008', problem)
}

/**
 * Every request's strings are checked once, here, rather than by each route: a NUL byte or an
 * unpaired surrogate in a path id, a query filter, a header or anywhere in a JSON body is a 400
 * naming the field, before authentication or a route touches PostgreSQL (docs/api/wire-contract.md, "Robustness").
 */
export const inputGuardPlugin = fp(
  async (app) => {
    // Sakari's curl samples send `Content-Type: application/json` on bodiless DELETEs and PUTs: an
    // empty JSON body is no body, not a syntax error.
    const parseJson = app.getDefaultJsonParser('error', 'error')
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body as string
      if (text === '') return done(null, undefined)
      if (jsonNestingExceeds(text, MAX_JSON_DEPTH))
        return done(new ApiError('REQ-002', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined)
      parseJson(request, text, done)
    })

    app.addHook('onRequest', async (request: FastifyRequest) => {
      // Copies: the router's params and the query parser's object have prototypes of their own.
      rejectUnstorable({ ...(request.params as object) }, 'params')
      rejectUnstorable({ ...(request.query as object) }, 'querystring')
      rejectUnstorable({ ...request.headers }, 'headers')
    })
    app.addHook('preValidation', async (request: FastifyRequest) => {
      rejectUnstorable(request.body, 'body')
    })
    // Schema coercion turns `?limit=Infinity` or `1e309` into a number that passes Ajv's integer and
    // maximum checks (and JSON.parse turns 1e309 into Infinity): a non-finite number is refused here.
    app.addHook('preHandler', async (request: FastifyRequest) => {
      rejectUnstorable({ ...(request.query as object) }, 'querystring')
      rejectUnstorable(request.body, 'body')
    })
  },
  { name: 'input-guard', dependencies: ['error-handler'] }
)
