import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { errorTableRows } from '../errors/catalog.ts'
import { sharedSchemas } from '../shared/schemas.ts'

const errorTable = errorTableRows().join('\n')

const description = `Parley speaks Sakari's v1 REST API: point a Sakari client at Parley's base URL with Parley credentials.

Every answer uses the envelope \`{"success": true, "data": ...}\`; lists add \`pagination\` (\`offset\`, \`limit\`, \`totalCount\`, \`hasNext\`).
Errors answer \`{"success": false, "error": {"code": "AREA-NNN", "message": "..."}}\`.

| code | HTTP status | meaning |
| --- | --- | --- |
${errorTable}`

interface QueryParameter {
  in: string
  required?: boolean
  schema?: { default?: unknown }
}

/** Generates the OpenAPI document from the route schemas and serves it at /openapi.json and /docs. */
export const openapiPlugin = fp(
  async (app) => {
    for (const schema of sharedSchemas) app.addSchema(schema)

    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'Parley API', version: '1.0.0', description },
        servers: [{ url: '/', description: 'This Parley server' }],
        tags: [
          { name: 'authentication' },
          { name: 'accounts' },
          { name: 'users' },
          { name: 'credentials' },
          { name: 'operations' }
        ],
        components: {
          securitySchemes: {
            sakari_auth: {
              type: 'oauth2',
              flows: { clientCredentials: { tokenUrl: '/oauth2/token', scopes: { 'messages:send': 'Send messages' } } }
            }
          }
        }
      },
      // Query parameters with a default (offset, limit, ...) are optional for the caller, although the
      // validated request type always has them.
      transformObject: (documentObject) => {
        const document = (
          documentObject as {
            openapiObject: { paths?: Record<string, Record<string, { parameters?: QueryParameter[] }>> }
          }
        ).openapiObject
        for (const operations of Object.values(document.paths ?? {})) {
          for (const operation of Object.values(operations)) {
            for (const parameter of operation.parameters ?? []) {
              if (parameter.in === 'query' && parameter.schema?.default !== undefined) parameter.required = false
            }
          }
        }
        return document
      },
      // Name shared components by their $id instead of def-0, def-1, ...
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) }
    })
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })

    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
  { name: 'openapi' }
)
