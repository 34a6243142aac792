// The Postman collection written by `npm run openapi`, made from the OpenAPI document so it cannot
// drift from the routes. It runs by itself, in order, with only baseUrl, AccountId, ClientId and
// ClientSecret set (test/app/postman.test.ts runs it under newman): a collection-level script fetches
// a token and reuses it until it expires, creates come before the reads, updates and actions on what
// they created (ids chain through collection variables), and every delete runs last, in a final folder.

type Schema = {
  $ref?: string
  type?: string
  format?: string
  example?: unknown
  default?: unknown
  enum?: unknown[]
  anyOf?: Schema[]
  required?: string[]
  properties?: Record<string, Schema>
  items?: Schema
  minimum?: number
}
type Operation = {
  summary?: string
  operationId?: string
  tags?: string[]
  security?: unknown[]
  requestBody?: { content: Record<string, { schema?: Schema; example?: unknown }> }
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>
}
export type OpenApiDocument = {
  info: { title: string }
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

const ACCOUNT = '/v1/accounts/{accountId}'

// Values for properties whose schema alone does not give a valid, repeatable example: sender numbers
// are unique in the installation and names, emails and attribute names unique in the account, so
// they come from per-request variables the collection's pre-request script sets.
const propertyExamples: Record<string, unknown> = {
  number: '{{uniqueNumber}}',
  phone: '{{uniqueNumber}}',
  mobile: { number: '{{uniqueNumber}}', country: 'US' },
  email: 'postman.{{uniqueId}}@example.com',
  name: 'Postman{{uniqueId}}',
  firstName: 'Postman',
  lastName: 'Example',
  label: 'Made by the Postman collection',
  tag: 'postman'
}

// Bodies that need the state earlier requests made, or a choice the schema cannot express; merged
// over the example built from the schema.
const bodyOverrides: Record<string, Record<string, unknown>> = {
  'post /oauth2/token': { client_id: '{{ClientId}}', client_secret: '{{ClientSecret}}' },
  [`put ${ACCOUNT}`]: { name: '{{accountName}}' },
  [`post ${ACCOUNT}/senders`]: { carrier: 'sandbox', status: 'active' },
  [`put ${ACCOUNT}/senders/{senderId}/status`]: { status: 'active' },
  [`post ${ACCOUNT}/messages`]: {
    contacts: [{ id: '{{contactId}}' }],
    phoneNumberFilter: { group: { id: '{{groupId}}' } }
  },
  [`post ${ACCOUNT}/sandbox/inbound`]: { from: '{{uniqueNumber}}', to: '{{senderNumber}}', message: 'Hello' },
  [`post ${ACCOUNT}/webhooks`]: { url: 'https://example.com/hooks/{{uniqueId}}' },
  [`put ${ACCOUNT}/webhooks/{webhookId}`]: { url: 'https://example.com/hooks/{{uniqueId}}' },
  [`post ${ACCOUNT}/webhooks/{webhookId}/replay`]: { from: '2020-01-01T00:00:00.000Z' },
  [`put ${ACCOUNT}/conversations/{conversationId}/assignee`]: { userId: '{{userId}}' },
  [`post ${ACCOUNT}/lists/{listId}/contacts`]: { contacts: ['{{contactId}}'] },
  [`post ${ACCOUNT}/campaigns`]: {
    template: 'Hello from the Postman campaign',
    filters: { contacts: ['{{contactId}}'] },
    phoneNumberFilter: { group: { id: '{{groupId}}' } }
  },
  [`post ${ACCOUNT}/quickcampaigns`]: {
    groupId: '{{groupId}}',
    listId: '{{listId}}',
    message: { message: 'Hello from the Postman quick campaign' }
  }
}

// Operations whose body is a file rather than JSON: a small one of the kind they take.
const rawBodies: Record<string, { contentType: string; body: string }> = {
  'post /v1/tools/sharefile': {
    contentType: 'application/octet-stream',
    body: 'BEGIN:VCARD\nVERSION:3.0\nFN:Postman Example\nEND:VCARD\n'
  },
  [`post ${ACCOUNT}/campaigns/{campaignId}/upload`]: {
    contentType: 'text/csv',
    body: 'mobile,country,firstName\n{{uniqueNumber}},US,Postman\n'
  }
}

// Path parameters no request creates.
const pathValues: Record<string, string> = { integration: 'hubspot', tag: 'postman', url: '{{webhookId}}' }

// Path parameters named alike on different resources get distinct variables.
const variableOf = (path: string, parameter: string) =>
  parameter === 'jobId'
    ? path.includes('/imports/')
      ? 'importJobId'
      : 'messageJobId'
    : parameter === 'campaignId' && path.endsWith('/upload')
      ? 'uploadCampaignId'
      : parameter

// Variables a request sets from its answer, beyond the id of what a create made.
const captures: Record<string, Record<string, string>> = {
  [`get ${ACCOUNT}`]: { accountName: 'data.name' },
  [`post ${ACCOUNT}/users`]: { userEmail: 'data.email' },
  [`put ${ACCOUNT}/users/{userId}`]: { userEmail: 'data.email' },
  [`post ${ACCOUNT}/credentials`]: { credentialId: 'data.id' },
  [`post ${ACCOUNT}/senders`]: { senderNumber: 'data.number' },
  // Its sibling path's parameter is Sakari's {url}, which unsubscribe takes the id in place of.
  [`post ${ACCOUNT}/webhooks`]: { webhookId: 'data.id' },
  // Mail is never created by a call of its own: assigning a conversation to the collection's user,
  // earlier in the run, kept one.
  [`get ${ACCOUNT}/mail`]: { mailId: 'data[0].id' },
  [`post ${ACCOUNT}/messages`]: {
    messageId: 'data.messages[0].id',
    messageJobId: 'data.jobId',
    conversationId: 'data.messages[0].conversation.id'
  }
}

// Posts that add existing things to a collection rather than create one: they answer no new id.
const adds = new Set([`post ${ACCOUNT}/lists/{listId}/contacts`])

// Headers an operation needs beyond the token.
const headerValues: Record<string, Record<string, string>> = {
  // Read marks are per user; an account-wide credential names the user it acts for.
  [`post ${ACCOUNT}/conversations/{conversationId}/read`]: { 'X-Parley-User-Email': '{{userEmail}}' },
  [`post ${ACCOUNT}/conversations/{conversationId}/lock`]: { 'X-Parley-User-Email': '{{userEmail}}' },
  [`delete ${ACCOUNT}/conversations/{conversationId}/lock`]: { 'X-Parley-User-Email': '{{userEmail}}' }
}

// The account's first sender joins its first group, and a sender belongs to one group at a time, so
// the sender leaves its group before it is added to the new one (which the send then uses).
const detachSenderScript = [
  "const base = pm.variables.replaceIn('{{baseUrl}}/v1/accounts/{{AccountId}}')",
  "const auth = { Authorization: 'Bearer ' + pm.collectionVariables.get('accessToken') }",
  "pm.sendRequest({ url: base + '/senders/' + pm.collectionVariables.get('senderId'), header: auth }, (error, response) => {",
  '  const group = error ? null : response.json().data.group',
  '  if (group)',
  "    pm.sendRequest({ url: base + '/groups/' + group.id + '/senders/' + pm.collectionVariables.get('senderId'), method: 'DELETE', header: auth }, () => {})",
  '})'
]
// Only a file-upload (FU) campaign takes files: the upload makes one first.
const uploadCampaignScript = [
  "const base = pm.variables.replaceIn('{{baseUrl}}/v1/accounts/{{AccountId}}')",
  "const header = { Authorization: 'Bearer ' + pm.collectionVariables.get('accessToken'), 'Content-Type': 'application/json' }",
  "const campaign = { name: 'Postman uploads', trigger: { code: 'FU' }, template: 'Welcome from Postman' }",
  "pm.sendRequest({ url: base + '/campaigns', method: 'POST', header, body: { mode: 'raw', raw: JSON.stringify(campaign) } }, (error, response) => {",
  "  if (!error) pm.collectionVariables.set('uploadCampaignId', response.json().data.id)",
  '})'
]
const prerequestScripts: Record<string, string[]> = {
  [`put ${ACCOUNT}/groups/{groupId}/senders/{senderId}`]: detachSenderScript,
  [`post ${ACCOUNT}/campaigns/{campaignId}/upload`]: uploadCampaignScript
}

// A CSV larger than the synchronous import limit (PARLEY_IMPORT_SYNC_MAX_BYTES, 1 MiB by default) is
// imported in the background and answers a job id; its rows carry first names over the length limit,
// so the import is refused row by row and adds nothing to the account.
const backgroundImportScript = [
  "const row = '+12025550100,US,' + 'x'.repeat(60000) + '\\n'",
  "pm.request.body.update('mobile,country,firstName\\n' + row.repeat(20))"
]

const tokenScript = [
  '// Fetches a token with ClientId and ClientSecret and reuses it until shortly before it expires.',
  "const expiresAt = Number(pm.collectionVariables.get('accessTokenExpiresAt') || 0)",
  "if (!pm.collectionVariables.get('accessToken') || Date.now() > expiresAt - 60000) {",
  '  pm.sendRequest(',
  '    {',
  "      url: pm.variables.replaceIn('{{baseUrl}}/oauth2/token'),",
  "      method: 'POST',",
  "      header: { 'Content-Type': 'application/json' },",
  '      body: {',
  "        mode: 'raw',",
  '        raw: JSON.stringify({',
  "          grant_type: 'client_credentials',",
  "          client_id: pm.variables.get('ClientId'),",
  "          client_secret: pm.variables.get('ClientSecret')",
  '        })',
  '      }',
  '    },',
  '    (error, response) => {',
  "      if (error || response.code !== 200) throw new Error('token request failed: ' + (error || response.text()))",
  '      const token = response.json()',
  "      pm.collectionVariables.set('accessToken', token.access_token)",
  "      pm.collectionVariables.set('accessTokenExpiresAt', String(Date.now() + token.expires_in * 1000))",
  '    }',
  '  )',
  '}',
  '// Unique values for this request: sender numbers are unique in the installation, names in the account.',
  "pm.variables.set('uniqueId', Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36))",
  "pm.variables.set('uniqueNumber', '+1202555' + String(Math.floor(Math.random() * 10000)).padStart(4, '0'))"
]

function resolve(schema: Schema, document: OpenApiDocument): Schema {
  const name = schema.$ref?.split('/').pop()
  return name ? resolve(document.components?.schemas?.[name] ?? {}, document) : schema
}

/** An example value of the schema: required properties, and optional ones with an example or a known name. */
function exampleOf(given: Schema, document: OpenApiDocument, property?: string): unknown {
  if (property && property in propertyExamples) return propertyExamples[property]
  const schema = resolve(given, document)
  if (schema.example !== undefined) return schema.example
  if (schema.default !== undefined) return schema.default
  if (schema.enum) return schema.enum[0]
  if (schema.anyOf?.[0]) return exampleOf(schema.anyOf[0], document)
  if (schema.properties) {
    const required = new Set(schema.required ?? [])
    const entries = Object.entries(schema.properties).filter(
      ([key, value]) => required.has(key) || key in propertyExamples || resolve(value, document).example !== undefined
    )
    return Object.fromEntries(entries.map(([key, value]) => [key, exampleOf(value, document, key)]))
  }
  if (schema.type === 'array') return schema.items ? [exampleOf(schema.items, document)] : []
  if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1
  if (schema.type === 'boolean') return true
  if (schema.format === 'uri') return 'https://example.com/'
  if (schema.format === 'date-time') return new Date(0).toISOString()
  return 'postman-{{uniqueId}}'
}

/** JavaScript reading `from` (like `data.messages[0].id`) off the parsed answer, undefined when absent. */
const reader = (from: string) => `answer.${from.replace(/\./g, '?.').replace(/\[/g, '?.[')}`

function testScript(status: number, envelope: boolean, sets: Record<string, string>): string[] {
  return [
    `pm.test('answers ${status}', () => pm.response.to.have.status(${status}))`,
    ...(envelope || Object.keys(sets).length ? ['const answer = pm.response.json()'] : []),
    ...(envelope ? ["pm.test('answers success: true', () => pm.expect(answer.success).to.equal(true))"] : []),
    ...Object.entries(sets).flatMap(([variable, from]) => [
      `pm.test('answers ${variable}', () => pm.expect(${reader(from)}).to.be.a('string'))`,
      `pm.collectionVariables.set('${variable}', ${reader(from)})`
    ])
  ]
}

interface Entry {
  folder: string
  deletes: boolean
  item: object
}

function entry(
  document: OpenApiDocument,
  path: string,
  method: string,
  operation: Operation,
  contentType = 'application/json'
): Entry {
  const postmanPath = path.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'accountId' ? '{{AccountId}}' : (pathValues[name] ?? `{{${variableOf(path, name)}}}`)
  )
  const key = `${method} ${path}`
  const [status, response] = Object.entries(operation.responses)
    .filter(([code]) => code.startsWith('2'))
    .sort(([a], [b]) => a.localeCompare(b))
    .find(([code]) => contentType === 'application/json' || code === '202')!
  // Of an answer with alternatives (a contact create or a CSV upload), the first is the JSON request's.
  const answered = resolve(response.content?.['application/json']?.schema ?? {}, document)
  const answerSchema = answered.anyOf?.[0] ? resolve(answered.anyOf[0], document) : answered
  // A create answers the id of what it made as data.id (data[0].id for contacts); a sibling path
  // `<path>/{id}` names the variable later requests read it from.
  const itemParameter = Object.keys(document.paths)
    .filter((other) => other.startsWith(`${path}/{`) && !other.slice(path.length + 1).includes('/'))
    .map((other) => other.slice(path.length + 2, -1))[0]
  const created =
    method === 'post' &&
    contentType === 'application/json' &&
    itemParameter &&
    !(itemParameter in pathValues) &&
    !adds.has(key)
      ? {
          [variableOf(path, itemParameter)]:
            resolve(answerSchema.properties?.data ?? {}, document).type === 'array' ? 'data[0].id' : 'data.id'
        }
      : {}
  const sets = contentType === 'text/csv' ? { importJobId: 'data.jobId' } : { ...created, ...(captures[key] ?? {}) }
  const content = operation.requestBody?.content[contentType]
  const raw = contentType === 'application/json' && !content ? rawBodies[key] : undefined
  const body =
    contentType === 'text/csv'
      ? ''
      : raw
        ? raw.body
        : content?.schema && { ...(exampleOf(content.schema, document) as object), ...(bodyOverrides[key] ?? {}) }
  const prerequest = contentType === 'text/csv' ? backgroundImportScript : prerequestScripts[key]
  const headers = {
    ...(body !== undefined ? { 'Content-Type': raw?.contentType ?? contentType } : {}),
    ...(headerValues[key] ?? {})
  }
  const events = [
    ...(prerequest ? [{ listen: 'prerequest', script: { type: 'text/javascript', exec: prerequest } }] : []),
    {
      listen: 'test',
      script: {
        type: 'text/javascript',
        exec: testScript(Number(status), 'success' in (answerSchema.properties ?? {}), sets)
      }
    }
  ]
  const name = operation.summary ?? operation.operationId ?? `${method.toUpperCase()} ${path}`
  return {
    folder: operation.tags?.[0] ?? 'other',
    deletes: method === 'delete',
    item: {
      name: contentType === 'text/csv' ? 'Import a large CSV of contacts in the background' : name,
      event: events,
      request: {
        method: method.toUpperCase(),
        ...(operation.security?.length ? {} : { auth: { type: 'noauth' } }),
        header: Object.entries(headers).map(([key, value]) => ({ key, value })),
        url: {
          raw: `{{baseUrl}}${postmanPath}`,
          host: ['{{baseUrl}}'],
          path: postmanPath.split('/').filter(Boolean)
        },
        ...(body !== undefined
          ? { body: { mode: 'raw', raw: typeof body === 'string' ? body : JSON.stringify(body, null, 2) } }
          : {})
      }
    }
  }
}

/**
 * A Postman v2.1 collection of the document, with Sakari's variables AccountId, ClientId and
 * ClientSecret, in an order in which every request succeeds.
 */
export function postmanCollectionText(document: OpenApiDocument): string {
  const entries: Entry[] = []
  for (const [path, operations] of Object.entries(document.paths)) {
    // Carrier callbacks and shared file links are for carriers (signed by them, or fetched by them
    // as MMS media), not for API clients.
    if (path.startsWith('/carriers/') || path.startsWith('/files/')) continue
    // Creates first, so that reads, updates and actions of the same resource find what they made.
    const ordered = Object.entries(operations).sort(([a], [b]) => Number(b === 'post') - Number(a === 'post'))
    for (const [method, operation] of ordered) {
      entries.push(entry(document, path, method, operation))
      if (method === 'post' && path === `${ACCOUNT}/contacts` && operation.requestBody?.content['text/csv'])
        entries.push(entry(document, path, method, operation, 'text/csv'))
    }
  }
  const folders = new Map<string, object[]>()
  for (const { folder, item } of entries.filter((entry) => !entry.deletes))
    folders.set(folder, [...(folders.get(folder) ?? []), item])
  // Deletes last, the most recently created resource first (a group's members before the group).
  const deletes = entries.filter((entry) => entry.deletes).reverse()
  const collection = {
    info: { name: document.info.title, schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] },
    event: [{ listen: 'prerequest', script: { type: 'text/javascript', exec: tokenScript } }],
    variable: [
      { key: 'baseUrl', value: 'http://localhost:3000' },
      { key: 'AccountId', value: '' },
      { key: 'ClientId', value: '' },
      { key: 'ClientSecret', value: '' }
    ],
    item: [
      ...[...folders.entries()].map(([name, item]) => ({ name, item })),
      { name: 'clean up', item: deletes.map((entry) => entry.item) }
    ]
  }
  return `${JSON.stringify(collection, null, 2)}\n`
}
