import { Ajv } from 'ajv'
import createClient from 'openapi-fetch'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import t from 'tap'
import { ensureBootstrapAccount } from '../../src/resources/accounts/bootstrap.ts'
import { buildTestApp } from '../helpers/app.ts'
import { sakariExample, loadReference } from '../helpers/declared-fields.ts'
import { quickSandbox } from '../helpers/messaging.ts'

// Issue 10's "Done means": a client generated from Sakari's official document, given only a fresh
// start's credentials, runs Sakari's documented examples for every implemented operation.
const reference = loadReference()

// Answers checked against the official response schemas themselves, not only for success.
const validatedAgainstSchemas = (operationId: string) => operationId.startsWith('webhooks.')
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true })
ajv.addSchema({ components: reference.components }, 'sakari')
function officialSchemaErrors(operation: Operation & { path: string; method: string }, status: number, body: unknown) {
  const schema =
    reference.paths[operation.path]?.[operation.method]?.responses?.[String(status)]?.content?.['application/json']
      ?.schema
  if (!schema) return body === undefined ? [] : [`no JSON answer is declared for ${status}`]
  const ref = schema.$ref ? `sakari#${schema.$ref.slice(1)}` : undefined
  const validate = ref ? ajv.getSchema(ref)! : ajv.compile(schema as object)
  return validate(body) ? [] : ajv.errorsText(validate.errors).split(', ')
}

// Sakari documents no example file for sharefile: a 1×1 PNG, sent as the octet-stream body it allows.
const png = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4e40000000049454e44ae426082',
  'hex'
)
const fileUpload = {
  body: png,
  bodySerializer: (body: Buffer) => body,
  headers: { 'Content-Type': 'application/octet-stream' }
}

type Operation = { operationId: string; 'x-code-samples'?: { lang: string; source: string }[] }
const operations = Object.entries(reference.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, ...(operation as Operation) }))
)

/** Sakari's documented example body: the `-d '…'` JSON of the operation's curl sample. */
function exampleBody(operation: Operation): unknown {
  const curl = operation['x-code-samples']?.find((sample) => sample.source.trimStart().startsWith('curl'))
  const body = curl?.source.match(/-d '([^']*)'/)?.[1]
  return body === undefined ? undefined : JSON.parse(body)
}

// Creates first, then reads and updates, deletes last, each kind in the document's order.
const stage = (operationId: string) =>
  [
    'auth.token',
    'create',
    'shareFile',
    'subscribe',
    'send',
    'fetchAll',
    'fetch',
    'update',
    'close',
    'remove',
    'unsubscribe'
  ].findIndex((name) => operationId === name || operationId.endsWith(`.${name}`))

t.test("a client generated from Sakari's document runs its examples against a fresh start", async (t) => {
  const types = astToString(await openapiTS(reference as unknown as OpenAPI3))
  t.match(types, /export interface paths \{/, 'the document generates the client types')
  t.match(types, /"\/v1\/accounts\/\{accountId\}\/messages": \{/)

  const app = await buildTestApp(t, quickSandbox)
  await ensureBootstrapAccount(app.db, sakariExample, true)
  const client = createClient({ baseUrl: await app.listen({ port: 0, host: '127.0.0.1' }) })

  // Sorting is stable: within a stage, the document's order.
  const ordered = [...operations].sort((a, b) => stage(a.operationId) - stage(b.operationId))
  t.equal(ordered[0]!.operationId, 'auth.token')
  t.ok(
    ordered.every(({ operationId }) => stage(operationId) >= 0),
    'every operation has a place in the order'
  )

  // Ids the answers produced, for the path parameters Sakari's examples leave to the caller.
  const ids: Record<string, string> = { accountId: sakariExample.accountId, url: 'https://requestbin.io' }
  let token = ''
  const results: string[] = []
  for (const operation of ordered) {
    const body = exampleBody(operation)
    const pathParameters = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!)
    const { data, error, response } = await client.request(
      operation.method as 'post',
      operation.path as never,
      {
        params: { path: Object.fromEntries(pathParameters.map((name) => [name, ids[name] ?? 'unknown'])) },
        headers: operation.operationId === 'auth.token' ? {} : { Authorization: `Bearer ${token}` },
        // fetch sends no body with GET or HEAD (webhooks.fetchAll documents one).
        ...(body !== undefined && !['get', 'head'].includes(operation.method) ? { body } : {}),
        ...(operation.operationId === 'tools.shareFile'
          ? { ...fileUpload, headers: { ...fileUpload.headers, Authorization: `Bearer ${token}` } }
          : {})
      } as never
    )
    const answer = (data ?? error) as { success?: boolean; error?: { code?: string }; data?: unknown } | undefined
    results.push(`${operation.operationId} ${response.status} ${answer?.error?.code ?? answer?.success}`)

    t.ok(
      pathParameters.every((name) => ids[name]),
      `${operation.operationId}: earlier answers gave its ${pathParameters}`
    )
    t.ok(response.ok, `${operation.operationId} answers 2xx (${response.status})`)
    if (validatedAgainstSchemas(operation.operationId)) {
      const declared = Object.keys(
        (reference.paths[operation.path]?.[operation.method] as { responses: object }).responses
      )
      t.same(declared, [String(response.status)], `${operation.operationId} answers the status the document declares`)
      t.same(officialSchemaErrors(operation, response.status, answer), [], `${operation.operationId} fits its schema`)
    }
    // A fresh start sends at once: Sakari's example number is a valid recipient.
    if (operation.operationId === 'messages.send') t.match(answer?.data, { requested: 1, valid: 1 })
    // A 204 (webhooks.unsubscribe) has no body to match.
    if (response.status !== 204)
      t.match(answer, operation.operationId === 'auth.token' ? { access_token: String } : { success: true })

    if (operation.operationId === 'auth.token') token = (answer as { access_token: string }).access_token
    // The first thing an answer names (a message send names its messages) gives its resource's id.
    const [resource, action] = operation.operationId.split('.') as [string, string]
    const produced = (Array.isArray(answer?.data) ? answer.data[0] : answer?.data) as
      { id?: string; messages?: { id: string }[] } | undefined
    const id = produced?.messages?.[0]?.id ?? produced?.id
    if (id && ['create', 'send', 'fetchAll'].includes(action)) ids[`${resource.replace(/s$/, '')}Id`] ??= id
  }
  t.comment(results.join('\n'))
})
