import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

type Schema = {
  $ref?: string
  allOf?: Schema[]
  oneOf?: Schema[]
  properties?: Record<string, Schema>
  items?: Schema
}

export interface Reference {
  components: { schemas: Record<string, Schema> }
  paths: Record<
    string,
    Record<
      string,
      { operationId?: string; responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }
    >
  >
}

// Sakari's official document lives in the workplace's shared/ folder, beside the checkout (CI lays it
// there too), or where PARLEY_SAKARI_REFERENCE points.
const candidates = ['../shared', '../../shared'].map((folder) =>
  fileURLToPath(new URL(`../../${folder}/reference/sakari-openapi-1.0.1.json`, import.meta.url))
)

/** The account and credentials Sakari's documented examples use, with the admin a bootstrap needs. */
export const sakariExample = {
  accountId: 'acme',
  clientId: '12345678-1234-1234-1234-123456789012',
  clientSecret: '87654321-4321-4321-4321-098765432121',
  adminEmail: 'owner@acme.example'
}

export function loadReference(): Reference {
  const path = process.env.PARLEY_SAKARI_REFERENCE ?? candidates.find((candidate) => existsSync(candidate))
  if (!path)
    throw new Error(`Sakari's OpenAPI document not found; set PARLEY_SAKARI_REFERENCE (looked in ${candidates})`)
  return JSON.parse(readFileSync(path, 'utf8')) as Reference
}

/** The response schema an operation declares for a status. */
export function responseSchema(reference: Reference, operationId: string, status: string): Schema {
  for (const operations of Object.values(reference.paths))
    for (const operation of Object.values(operations))
      if (operation.operationId === operationId) {
        const schema = operation.responses?.[status]?.content?.['application/json']?.schema
        if (schema) return schema
      }
  throw new Error(`${operationId} declares no JSON response for ${status}`)
}

function resolve(reference: Reference, schema: Schema): Schema {
  if (schema.$ref) return resolve(reference, reference.components.schemas[schema.$ref.split('/').pop()!]!)
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => resolve(reference, part))
    return { properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})) }
  }
  return schema
}

/**
 * The paths (like `data[].created.by.firstName`) of properties the schema declares that `value`
 * lacks, walking every item of every array. Of a oneOf, the variant the value fits best is walked.
 */
export function missingProperties(reference: Reference, declared: Schema, value: unknown, path = ''): string[] {
  const schema = resolve(reference, declared)
  if (schema.oneOf) {
    const walks = schema.oneOf.map((variant) => missingProperties(reference, variant, value, path))
    return walks.reduce((best, walk) => (walk.length < best.length ? walk : best))
  }
  if (Array.isArray(value))
    return schema.items ? value.flatMap((item) => missingProperties(reference, schema.items!, item, `${path}[]`)) : []
  if (typeof value !== 'object' || value === null || !schema.properties) return []
  return Object.entries(schema.properties).flatMap(([name, property]) => {
    const at = path ? `${path}.${name}` : name
    const present = (value as Record<string, unknown>)[name]
    return present === undefined ? [at] : missingProperties(reference, property, present, at)
  })
}
