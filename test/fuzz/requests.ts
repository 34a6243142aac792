import fc from 'fast-check'

// Malformed requests for one operation of Parley's OpenAPI document: mostly plausible values with
// hostile ones mixed in at every level, so a request gets past the first check often enough to reach
// deeper code (docs/api/wire-contract.md, "Robustness").

export interface Schema {
  $ref?: string
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  additionalProperties?: boolean | Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  enum?: unknown[]
  const?: unknown
  format?: string
  minimum?: number
  maximum?: number
}

export interface Operation {
  method: string
  path: string
  pathParams: string[]
  query: Array<{ name: string; schema: Schema }>
  /** Content types of the request body, with the JSON body's schema when there is one. */
  bodyTypes: string[]
  jsonBody?: Schema
}

export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
  /** A short description for failure reports. */
  shape: string
}

/** The operations of an OpenAPI 3 document, with `$ref`s left to resolve lazily. */
export function operationsOf(document: {
  paths: Record<string, Record<string, Record<string, unknown>>>
}): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const parameters = (operation.parameters ?? []) as Array<{ in: string; name: string; schema: Schema }>
      const content = ((operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
        ?.content ?? {}) as Record<string, { schema?: Schema }>
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
        query: parameters.filter((parameter) => parameter.in === 'query'),
        bodyTypes: Object.keys(content),
        jsonBody: content['application/json']?.schema
      })
    }
  }
  return operations
}

const DEEP = 5000

/** A value nested `levels` deep, written out only when the body is serialised (see jsonText). */
class Deep {
  readonly levels: number
  readonly kind: 'object' | 'array'
  constructor(levels: number, kind: 'object' | 'array') {
    this.levels = levels
    this.kind = kind
  }
  toJSONText(): string {
    return this.kind === 'object'
      ? '{"a":'.repeat(this.levels) + '"bottom"' + '}'.repeat(this.levels)
      : '['.repeat(this.levels) + '1' + ']'.repeat(this.levels)
  }
}

/** JSON.stringify, except that a Deep value is written without recursing (5,000 levels would overflow). */
export function jsonText(value: unknown): string {
  if (value instanceof Deep) return value.toJSONText()
  if (Array.isArray(value)) return `[${value.map((item) => jsonText(item)).join(',')}]`
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`)
      .join(',')}}`
  return JSON.stringify(value) ?? 'null'
}

const hostileStrings = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\udbff\u0000',
  '\u00ff\u00fe',
  '💬',
  '',
  ' ',
  '99999999999999999999',
  '-1',
  '1.5',
  'Infinity',
  '-Infinity',
  'NaN',
  '1e309',
  '0x10',
  'null',
  'true',
  '{{__proto__}}',
  '{{constructor}}',
  '{{#a}}',
  "'; DROP TABLE contacts; --",
  '%00',
  '%',
  '../../etc/passwd',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'x'.repeat(300),
  'y'.repeat(70_000)
]

const hostileNumbers = [0, -1, -0, 1.5, -2147483649, 2147483648, 2 ** 53 + 2, 1e20, 1e308, -1e308, Number.MIN_VALUE]

function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...hostileStrings) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileNumbers) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(new Deep(DEEP, 'object'), new Deep(DEEP, 'array'), new Deep(40, 'object'))
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        JSON.parse('{"__proto__": {"polluted": 1}}'),
        { constructor: { prototype: { polluted: 1 } } },
        { 'a\u0000': 1 }
      )
    }
  )
}

const formatSamples: Record<string, string[]> = {
  email: ['fuzz@example.com', 'FUZZ@example.com'],
  uri: ['https://example.com/a.png', 'http://example.com/b.jpg', 'gopher://example.com/', 'javascript:alert(1)'],
  'date-time': ['2026-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z']
}

export class SchemaArbitraries {
  readonly #components: Record<string, Schema>
  readonly #samples: Record<string, string[]>

  /** `samples`: plausible strings by property name (existing ids, phone numbers), to reach deeper code. */
  constructor(components: Record<string, Schema>, samples: Record<string, string[]>) {
    this.#components = components
    this.#samples = samples
  }

  resolve(schema: Schema): Schema {
    let current = schema
    while (current.$ref) {
      const name = current.$ref.replace(/^#\/components\/schemas\//, '').replace(/#$/, '')
      current = this.#components[name] ?? {}
    }
    return current
  }

  /** A value that mostly fits the schema, with hostile values mixed in at every level. */
  value(schema: Schema, name = '', depth = 0): fc.Arbitrary<unknown> {
    return fc.oneof(
      { weight: 5, arbitrary: this.#fitting(this.resolve(schema), name, depth) },
      { weight: 1, arbitrary: hostileValue() }
    )
  }

  #fitting(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
    const choices = schema.anyOf ?? schema.oneOf
    if (choices) return fc.oneof(...choices.map((choice) => this.value(choice, name, depth)))
    if (schema.allOf) return this.#fitting(Object.assign({}, ...schema.allOf.map((s) => this.resolve(s))), name, depth)
    if (schema.const !== undefined) return fc.constant(schema.const)
    if (schema.enum) return fc.constantFrom(...schema.enum)
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
    if (type === 'object' || schema.properties) {
      if (depth > 4) return fc.constant({})
      const properties = schema.properties ?? {}
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [key, property] of Object.entries(properties)) model[key] = this.value(property, key, depth + 1)
      const known = fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) })
      if (Object.keys(properties).length > 0) return known
      return fc.dictionary(fc.string({ maxLength: 12 }), this.value({ type: 'string' }, '', depth + 1), {
        maxKeys: 3
      })
    }
    if (type === 'array') {
      if (depth > 4) return fc.constant([])
      return fc.array(this.value(schema.items ?? {}, name, depth + 1), { maxLength: 3 })
    }
    if (type === 'integer' || type === 'number') {
      const min = schema.minimum ?? -10
      const max = schema.maximum ?? Math.max(min, 0) + 1000
      return fc.oneof(
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
        fc.constantFrom(min - 1, max + 1, ...hostileNumbers)
      )
    }
    if (type === 'boolean') return fc.boolean()
    if (type === 'null') return fc.constant(null)
    const samples = [...(this.#samples[name] ?? []), ...(formatSamples[schema.format ?? ''] ?? [])]
    return samples.length > 0
      ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...samples) }, fc.string({ maxLength: 20 }))
      : fc.string({ maxLength: 20 })
  }
}

/** Percent-encodes as a client would; a lone surrogate, which UTF-8 cannot hold, as its CESU-8 bytes. */
export function encodeLoosely(text: string): string {
  let out = ''
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`
    } else out += encodeURIComponent(char)
  }
  return out
}

const rawSegments = ['%', '%zz', '%E0%A4%A', '%ED%A0%80', '%00', '%C0%AE', 'a%2Fb', '..', '.', 'z'.repeat(200)]

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'object') return jsonText(value).slice(0, 2000)
  return String(value)
}

const numericStrings = ['99999999999999999999', 'Infinity', '-Infinity', '1e309', '-1', '1.5', 'NaN', '', '0x1f', ' 5']

interface Bodies {
  contentType?: string
  payload?: string | Buffer
  shape: string
}

function bodies(operation: Operation, arbitraries: SchemaArbitraries): fc.Arbitrary<Bodies> {
  const json = (operation.jsonBody ? arbitraries.value(operation.jsonBody) : hostileValue()).map((value): Bodies => ({
    contentType: 'application/json',
    payload: jsonText(value),
    shape: 'json'
  }))
  const boundary = 'fuzzboundary'
  const others = fc.constantFrom<Bodies>(
    {
      contentType: 'application/x-www-form-urlencoded',
      payload: 'firstName=a%00b&mobile=1&limit=1e309',
      shape: 'form'
    },
    { contentType: 'multipart/form-data', payload: 'no boundary here', shape: 'multipart without boundary' },
    {
      contentType: `multipart/form-data; boundary=${boundary}`,
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nmobile,country\r\n+1500`,
      shape: 'truncated multipart'
    },
    {
      contentType: `multipart/form-data; boundary=${boundary}`,
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nmobile,country,firstName\r\n+15005550006,US,a\u0000b\r\n+15005550007,US,ok\r\n--${boundary}--\r\n`,
      shape: 'multipart CSV with NUL'
    },
    { contentType: 'text/csv', payload: 'mobile,country,firstName\n+15005550008,US,a\u0000b\n', shape: 'csv with NUL' },
    { contentType: 'text/csv', payload: 'mobile,country\n"unterminated', shape: 'broken csv' },
    { contentType: 'text/plain', payload: 'hello', shape: 'text/plain' },
    { contentType: 'application/xml', payload: '<a/>', shape: 'xml' },
    { contentType: 'application/json', payload: '{"firstName": ', shape: 'truncated json' },
    { contentType: 'application/json', payload: '['.repeat(DEEP) + ']'.repeat(DEEP), shape: 'deep json array' },
    { contentType: 'application/json', payload: '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP), shape: 'deep json' },
    { contentType: 'application/json', payload: '"\\ud800"', shape: 'json lone surrogate' },
    { contentType: 'application/json; charset=utf-16', payload: '{}', shape: 'json utf-16' },
    { contentType: undefined, payload: '{"a":1}', shape: 'body without content type' },
    {
      contentType: 'application/json',
      payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      shape: 'invalid utf-8'
    },
    { contentType: 'application/json', payload: '', shape: 'empty json' }
  )
  const none = fc.constant<Bodies>({ shape: 'no body' })
  if (operation.bodyTypes.length === 0)
    return fc.oneof({ weight: 6, arbitrary: none }, { weight: 1, arbitrary: others })
  return fc.oneof({ weight: 6, arbitrary: json }, { weight: 2, arbitrary: others }, { weight: 1, arbitrary: none })
}

/** The value one time in six, undefined otherwise. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })
}

export interface Credentials {
  /** A valid bearer token of the account-wide credential. */
  token: string
  /** Other authorization headers: none, garbage, a wrong algorithm, no expiry. */
  bad: string[]
}

export function requestsFor(
  operation: Operation,
  arbitraries: SchemaArbitraries,
  pathSamples: Record<string, string[]>,
  credentials: Credentials
): fc.Arbitrary<FuzzRequest> {
  // The account id is mostly right, so most requests get past authentication.
  const segment = (name: string) =>
    fc.oneof(
      { weight: name === 'accountId' ? 40 : 0, arbitrary: fc.constantFrom(...(pathSamples[name] ?? ['x'])) },
      { weight: 6, arbitrary: fc.constantFrom(...(pathSamples[name] ?? ['x'])).map(encodeLoosely) },
      { weight: 2, arbitrary: fc.constantFrom(...hostileStrings.slice(0, 29)).map(encodeLoosely) },
      { weight: 1, arbitrary: fc.constantFrom(...rawSegments) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encodeLoosely) }
    )
  const params = fc.tuple(...operation.pathParams.map((name) => segment(name)))
  const queryValue = (schema: Schema, name: string) =>
    fc.oneof(
      { weight: 4, arbitrary: arbitraries.value(schema, name).map(asText) },
      { weight: 2, arbitrary: fc.constantFrom(...numericStrings) }
    )
  const query = fc.tuple(
    ...operation.query.map(({ name, schema }) =>
      fc.option(
        queryValue(schema, name).map((value) => `${name}=${encodeLoosely(value)}`),
        { nil: undefined, freq: 2 }
      )
    ),
    rarely(fc.constantFrom('%zz=1', 'a=%', 'x=%ED%A0%80', `long=${'q'.repeat(20_000)}`, 'limit=1&limit=2'))
  )
  const authorization = fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${credentials.token}`) },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, ...credentials.bad) }
  )
  const extraHeaders = rarely(
    fc.constantFrom<Record<string, string>>(
      { 'x-parley-user-email': 'nobody@example.com' },
      { 'x-parley-user-email': 'a\u00ffb@example.com' },
      { 'idempotency-key': 'k'.repeat(300) },
      { 'idempotency-key': '\u00fe\u00ff' },
      { 'x-forwarded-for': '203.0.113.9' }
    )
  )
  return fc
    .record({ params, query, body: bodies(operation, arbitraries), authorization, extraHeaders })
    .map(({ params, query, body, authorization, extraHeaders }) => {
      let index = 0
      const path = operation.path.replace(/\{[^}]+\}/g, () => params[index++] ?? 'x')
      const search = query.filter((part): part is string => part !== undefined).join('&')
      const headers: Record<string, string> = { ...extraHeaders }
      if (authorization) headers.authorization = authorization
      if (body.contentType) headers['content-type'] = body.contentType
      return {
        method: operation.method,
        url: search ? `${path}?${search}` : path,
        headers,
        payload: body.payload,
        shape: body.shape
      }
    })
}
