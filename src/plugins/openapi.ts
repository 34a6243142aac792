import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { errorCatalog } from '../errors/catalog.ts'
import { sharedSchemas } from '../shared/schemas.ts'

// The docs page introduces Parley before its operations: what it is, how to authenticate, the
// envelope, and a link to the error catalogue (served at ERRORS_PAGE; the OpenAPI document keeps the
// catalogue in the description of the Error schema's `code`, src/shared/schemas.ts).
const ERRORS_PAGE = '/docs/errors'

const description = `Parley is a self-hostable SMS platform whose REST API speaks Sakari's v1 API: point a Sakari client at Parley's base URL with Parley credentials.

## Authentication

1. Get a token: \`POST /oauth2/token\` with \`grant_type=client_credentials\` and your \`client_id\` and \`client_secret\` (as JSON, as a form, or with HTTP Basic). It answers an \`access_token\` and its lifetime in \`expires_in\`.
2. Send it as \`Authorization: Bearer <token>\` on every other call. On this page, **Authorize** does both with the client id and secret.

A token opens its own account only: the API lives under \`/v1/accounts/{accountId}\`.

## Answers and errors

Every answer uses the envelope \`{"success": true, "data": ...}\`; lists add \`pagination\` (\`offset\`, \`limit\`, \`totalCount\`, \`hasNext\`).
Errors answer \`{"success": false, "error": {"code": "AREA-NNN", "message": "..."}}\`: every code, its HTTP status and meaning are in the [error catalogue](${ERRORS_PAGE}).`

// Operations grouped by resource, in the order a newcomer needs them: authentication first.
const tags = [
  { name: 'authentication', description: 'Client credentials for a bearer token' },
  { name: 'accounts', description: 'The account and its help text' },
  { name: 'users', description: 'People of the account and their roles' },
  { name: 'credentials', description: 'API credentials: account-wide or bound to a user' },
  { name: 'groups', description: 'Teams sharing senders and one inbox' },
  { name: 'senders', description: 'The numbers the account sends from' },
  { name: 'messages', description: 'Sending and reading messages' },
  { name: 'conversations', description: 'The shared inbox: threads, locks, assignment' },
  { name: 'contacts', description: 'Contacts, opt-outs, tags and CSV import' },
  { name: 'attributes', description: 'Custom contact attributes' },
  { name: 'lists', description: 'Static and dynamic lists of contacts' },
  { name: 'templates', description: 'Saved message texts with placeholders' },
  { name: 'campaigns', description: 'Manual, scheduled and file-upload campaigns' },
  { name: 'webhooks', description: 'Signed event delivery, retries and replay' },
  { name: 'integrations', description: 'Contact sync from a CRM' },
  { name: 'tools', description: 'Shared files for MMS media' },
  { name: 'carriers', description: 'Configured carriers and their callbacks' },
  { name: 'sandbox', description: 'The built-in test carrier' },
  { name: 'operations', description: 'Health and readiness' }
]

// Parley's mark for the docs page's top bar and tab: a speech bubble and the name.
const logo = `<svg xmlns="http://www.w3.org/2000/svg" width="140" height="40" viewBox="0 0 140 40"><path d="M7 5h26a5 5 0 0 1 5 5v15a5 5 0 0 1-5 5H19l-8 7v-7H7a5 5 0 0 1-5-5V10a5 5 0 0 1 5-5z" fill="#49cc90"/><text x="46" y="28" font-family="sans-serif" font-size="24" font-weight="700" fill="#ffffff">Parley</text></svg>`
const icon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><path d="M7 5h26a5 5 0 0 1 5 5v15a5 5 0 0 1-5 5H19l-8 7v-7H7a5 5 0 0 1-5-5V10a5 5 0 0 1 5-5z" fill="#49cc90"/></svg>`

// The top bar's box for exploring another document's URL is Swagger UI's, not Parley's.
const css = '.swagger-ui .topbar .download-url-wrapper { display: none }'

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`)
}

/** The error catalogue as a page of its own, one click from the docs page. */
function errorCataloguePage(): string {
  const rows = Object.entries(errorCatalog)
    .map(
      ([code, entry]) =>
        `<tr><td><code>${code}</code></td><td>${'status' in entry ? entry.status : 'none (on a message)'}</td><td>${escapeHtml(entry.message)}</td></tr>`
    )
    .join('\n')
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Parley API: error codes</title>
<style>body{font-family:sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#3b4151}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}</style>
</head>
<body>
<p><a href="/docs/">Parley API</a></p>
<h1>Error codes</h1>
<p>Every refusal answers <code>{"success": false, "error": {"code": "AREA-NNN", "message": "…"}}</code> with the HTTP status below. Codes whose status is "none (on a message)" are never an HTTP answer: they appear in a message's <code>error</code>.</p>
<table>
<thead><tr><th>code</th><th>HTTP status</th><th>meaning</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`
}

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
        externalDocs: { description: 'Error codes: every code, its HTTP status and meaning', url: ERRORS_PAGE },
        servers: [{ url: '/', description: 'This Parley server' }],
        tags,
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
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      logo: { type: 'image/svg+xml', content: Buffer.from(logo), href: '/docs/' },
      theme: {
        title: 'Parley API',
        css: [{ filename: 'parley.css', content: css }],
        favicon: [
          { filename: 'parley.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: Buffer.from(icon) }
        ]
      },
      // Tags start folded: the page draws the introduction and one line per resource, not every
      // operation, and the filter box finds an operation by its resource.
      uiConfig: { docExpansion: 'none', filter: true, defaultModelsExpandDepth: 0, persistAuthorization: true }
    })

    const catalogue = errorCataloguePage()
    app.get(ERRORS_PAGE, { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(catalogue)
    )
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
  { name: 'openapi' }
)
