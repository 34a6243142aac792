import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../errors/api-error.ts'
import { findUnstorable, jsonNestingExceeds } from '../lib/unstorable.ts'

// Sakari's bodies nest a few levels (filters, attributes); 64 leaves room for any real client while
// a body nested thousands of levels deep is refused before anything walks it recursively.
export const MAX_JSON_DEPTH = 64

function rejectUnstorable(value: unknown, root: string): void {
  const problem = findUnstorable(value, root)
  if (problem) throw new ApiError('REQ-008', problem)
}

/**
 * Every request's strings are checked once, here, rather than by each route: a NUL byte or an
 * unpaired surrogate in a path id, a query filter, a header or anywhere in a JSON body is a 400
 * naming the field, before authentication or a route touches PostgreSQL (README "Robustness").
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
      rejectUnstorable(request.params, 'params')
      rejectUnstorable(request.query, 'querystring')
      rejectUnstorable(request.headers, 'headers')
    })
    app.addHook('preValidation', async (request: FastifyRequest) => {
      rejectUnstorable(request.body, 'body')
    })
  },
  { name: 'input-guard', dependencies: ['error-handler'] }
)
