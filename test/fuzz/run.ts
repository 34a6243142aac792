import { createSigner } from 'fast-jwt'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { errorCatalog } from '../../src/errors/catalog.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { operationsOf, requestsFor, SchemaArbitraries, type FuzzRequest, type Schema } from './requests.ts'

export interface FuzzFigures {
  requests: number
  serverErrors: number
  outsideEnvelope: number
  refusedWrites: number
  byStatus: Record<number, number>
  operations: number
  failures: string[]
  durationMs: number
}

const SECRET = 'test-signing-secret-that-is-long-enough-0123456789'
const MAX_REPORTED = 20

/** The environment the fuzzed app runs with: no workers (nothing writes behind the requests' back). */
export const fuzzEnv = {
  PARLEY_WORKERS: 'false',
  PARLEY_JWT_SECRET: SECRET,
  PARLEY_RATE_LIMIT_MAX: '10000000',
  PARLEY_ANONYMOUS_RATE_LIMIT_MAX: '10000000',
  PARLEY_TOKEN_RATE_LIMIT_MAX: '10000000'
}

async function post(app: FastifyInstance, headers: Record<string, string>, url: string, payload: object) {
  const response = await app.inject({ method: 'POST', url, headers, payload })
  if (response.statusCode >= 300) throw new Error(`fixture ${url}: ${response.statusCode} ${response.body}`)
  // Sakari answers some creations (templates, contacts) as a one-item list.
  const { data } = response.json()
  return Array.isArray(data) ? data[0] : data
}

/**
 * A fingerprint of everything the account has stored: the row count and newest change of every
 * table with an account_id, so a refused request that wrote anything shows up as a difference.
 */
async function snapshotQuery(app: FastifyInstance, accountId: string): Promise<() => Promise<string>> {
  const { rows } = await sql<{ table_name: string; has_updated: boolean }>`
    SELECT c.table_name, bool_or(u.column_name IS NOT NULL) AS has_updated
    FROM information_schema.columns c
    LEFT JOIN information_schema.columns u
      ON u.table_schema = c.table_schema AND u.table_name = c.table_name AND u.column_name = 'updated_at'
    WHERE c.table_schema = 'public' AND c.column_name = 'account_id'
    GROUP BY c.table_name ORDER BY c.table_name
  `.execute(app.db)
  const parts = rows.map(({ table_name: table, has_updated: hasUpdated }) =>
    hasUpdated
      ? sql`(SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM ${sql.table(table)} WHERE account_id = ${accountId})`
      : sql`(SELECT count(*)::text FROM ${sql.table(table)} WHERE account_id = ${accountId})`
  )
  const query = sql<{ fingerprint: string }>`SELECT concat_ws(',', ${sql.join(parts)}) AS fingerprint`
  return async () => (await query.execute(app.db)).rows[0]!.fingerprint
}

function describe(request: FuzzRequest): string {
  const url = request.url.length > 160 ? `${request.url.slice(0, 160)}…(${request.url.length})` : request.url
  const body = request.payload === undefined ? '' : String(request.payload)
  const shownBody = body.length > 160 ? `${body.slice(0, 160)}…(${body.length})` : body
  return `${request.method} ${JSON.stringify(url)} [${request.shape}] ${request.headers['content-type'] ?? ''} ${JSON.stringify(shownBody)}`
}

/** Why the answer breaks the contract, or undefined when it keeps it. */
function envelopeProblem(request: FuzzRequest, status: number, body: string): string | undefined {
  let parsed: { success?: unknown; error?: unknown }
  try {
    parsed = JSON.parse(body)
  } catch {
    return `not JSON: ${body.slice(0, 120)}`
  }
  const tokenEndpoint = request.url.startsWith('/oauth2/token')
  // The token endpoint answers in OAuth's shape (RFC 6749), as Sakari's does.
  if (tokenEndpoint && status === 200 && 'access_token' in parsed) return undefined
  if (status < 400) return parsed.success === true ? undefined : `success answer without success: true`
  if (tokenEndpoint && typeof parsed.error === 'string' && parsed.success === false) return undefined
  const error = parsed.error as { code?: unknown; message?: unknown } | undefined
  if (parsed.success !== false || typeof error?.message !== 'string')
    return `not the error envelope: ${body.slice(0, 120)}`
  if (typeof error.code !== 'string' || !(error.code in errorCatalog))
    return `code not in the catalogue: ${String(error.code)}`
  const entry = errorCatalog[error.code as keyof typeof errorCatalog] as { status?: number }
  if (entry.status !== status) return `status ${status} differs from the catalogue's for ${error.code}`
  return undefined
}

/**
 * Sends `requests` generated requests, spread over every operation of the app's own OpenAPI
 * document, and checks each answer: no 5xx, the envelope with a catalogued code, and no write by a
 * refused request. Replays exactly from `seed`.
 */
export async function fuzzApi(
  app: FastifyInstance,
  options: { requests: number; seed: number; progress?: (line: string) => void }
): Promise<FuzzFigures> {
  const started = Date.now()
  const account = await createTestAccount(app)
  const headers = account.headers
  const base = `/v1/accounts/${account.accountId}`
  const group = await post(app, headers, `${base}/groups`, { name: 'Fuzz group' })
  const sender = await post(app, headers, `${base}/senders`, {
    number: '+15005550001',
    type: 'local',
    capabilities: ['SMS'],
    carrier: 'sandbox',
    status: 'active'
  })
  // A sender whose registration completes: its mail to the Administrators is the fixture of …/mail/{mailId}.
  const registered = await post(app, headers, `${base}/senders`, { number: '+15005550005', status: 'pending' })
  await app.inject({
    method: 'PUT',
    url: `${base}/senders/${registered.id}/status`,
    headers,
    payload: { status: 'active' }
  })
  const mail = (await app.inject({ method: 'GET', url: `${base}/mail`, headers })).json().data[0]
  const contact = await post(app, headers, `${base}/contacts`, {
    mobile: { number: '+15005550002', country: 'US' },
    firstName: 'Fuzz',
    tags: [{ tag: 'vip' }],
    attributes: {}
  })
  const template = await post(app, headers, `${base}/templates`, { name: 'Fuzz', template: 'Hi {{firstName}}' })
  const attribute = await post(app, headers, `${base}/attributes/contacts`, { name: 'plan' })
  const user = await post(app, headers, `${base}/users`, { email: 'fuzz-user@example.com', role: 'Sender' })
  const credential = await post(app, headers, `${base}/credentials`, { name: 'fuzz' })
  const sent = await post(app, headers, `${base}/messages`, {
    contacts: [{ id: contact.id }],
    template: 'Hello',
    phoneNumberFilter: { group: { id: group.id } }
  }).catch(() => undefined)

  const pathSamples: Record<string, string[]> = {
    accountId: [...Array<string>(9).fill(account.accountId), 'someone-else'],
    userId: [user.id],
    senderId: [sender.id],
    groupId: [group.id],
    credentialId: [credential.id],
    templateId: [template.id],
    attributeId: [attribute.id],
    contactId: [contact.id],
    jobId: [sent?.jobId ?? 'job'],
    tag: ['vip'],
    integration: ['hubspot', 'salesforce'],
    messageId: [sent?.messages?.[0]?.id ?? 'message'],
    conversationId: ['conversation'],
    mailId: [mail?.id]
  }
  for (const [name, samples] of Object.entries(pathSamples)) {
    if (!samples.every((sample) => typeof sample === 'string')) throw new Error(`no fixture id for ${name}`)
  }
  const bodySamples: Record<string, string[]> = {
    id: [contact.id, group.id, template.id],
    number: ['+15005550003', '+15005550009', '5005550004'],
    country: ['US', 'GB', 'ZZ'],
    name: ['plan', 'Fuzz', 'vip'],
    attribute: ['plan', 'firstName'],
    template: ['Hi {{firstName}}', '{{__proto__}}', '{{#unclosed}}'],
    carrier: ['sandbox', 'no-such-carrier'],
    role: ['Administrator', 'Sender', 'Read Only'],
    email: ['someone@example.com'],
    grant_type: ['client_credentials'],
    client_id: [account.clientId],
    client_secret: [account.clientSecret, 'wrong-secret-000000']
  }

  const document = app.swagger() as unknown as {
    paths: Record<string, Record<string, Record<string, unknown>>>
    components: { schemas: Record<string, Schema> }
  }
  const operations = operationsOf(document)
  const arbitraries = new SchemaArbitraries(document.components.schemas, bodySamples)
  const now = Math.floor(Date.now() / 1000)
  const claims = { sub: account.clientId, acct: account.accountId, cred: 'x', scope: 'messages:send' }
  const credentials = {
    token: account.token,
    bad: [
      'Bearer not-a-token',
      'Bearer ',
      'Basic Zm9vOmJhcg==',
      `Bearer ${createSigner({ key: SECRET, algorithm: 'HS512' })({ ...claims, exp: now + 600 })}`,
      `Bearer ${createSigner({ key: SECRET, algorithm: 'HS256' })(claims)}`
    ]
  }
  const anyRequest = fc.oneof(
    ...operations.map((operation) => requestsFor(operation, arbitraries, pathSamples, credentials))
  )

  const snapshot = await snapshotQuery(app, account.accountId)
  const figures: FuzzFigures = {
    requests: 0,
    serverErrors: 0,
    outsideEnvelope: 0,
    refusedWrites: 0,
    byStatus: {},
    operations: operations.length,
    failures: [],
    durationMs: 0
  }
  const fail = (line: string) => {
    if (figures.failures.length < MAX_REPORTED) figures.failures.push(line)
  }
  let before = await snapshot()
  const chunk = 250
  for (let batch = 0; figures.requests < options.requests; batch++) {
    // fc.sample per batch keeps memory flat; batch n is always drawn from seed + n.
    const requests = fc.sample(anyRequest, {
      seed: options.seed + batch,
      numRuns: Math.min(chunk, options.requests - figures.requests)
    })
    for (const request of requests) {
      figures.requests++
      const response = await app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: request.headers,
        payload: request.payload
      })
      const status = response.statusCode
      figures.byStatus[status] = (figures.byStatus[status] ?? 0) + 1
      if (status >= 500) {
        figures.serverErrors++
        fail(`${status} for ${describe(request)}: ${response.body.slice(0, 200)}`)
      }
      const problem = envelopeProblem(request, status, response.body)
      if (problem) {
        figures.outsideEnvelope++
        fail(`${problem} (${status}) for ${describe(request)}`)
      }
      const after = await snapshot()
      if (status >= 400 && after !== before) {
        figures.refusedWrites++
        fail(`refused with ${status} yet stored something: ${describe(request)}`)
      }
      before = after
    }
    options.progress?.(
      `${figures.requests} requests, ${figures.serverErrors} 5xx, ${figures.outsideEnvelope} outside the envelope`
    )
  }
  figures.durationMs = Date.now() - started
  return figures
}
