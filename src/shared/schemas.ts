import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'
import { errorTableRows } from '../errors/catalog.ts'

// Components shared by every route. They are registered once (plugins/openapi.ts) under their $id,
// so routes reference them and the OpenAPI document names them instead of repeating them.
const ErrorDetail = Type.Object(
  {
    // The catalogue lives in the document here, where a reader of `code` looks for it (the docs page
    // links to /docs/errors; docs/errors.md holds the same table).
    code: Type.String({
      description: [
        'Stable AREA-NNN error code. Every code, its HTTP status and meaning:',
        '',
        '| code | HTTP status | meaning |',
        '| --- | --- | --- |',
        ...errorTableRows()
      ].join('\n'),
      examples: ['CONT-001']
    }),
    message: Type.String({ examples: ['Invalid mobile number'] })
  },
  { $id: 'Error' }
)

const ErrorResponse = Type.Object(
  {
    success: Type.Literal(false),
    error: ref(ErrorDetail)
  },
  { $id: 'ErrorResponse' }
)

export const Pagination = Type.Object(
  {
    offset: Type.Integer({ minimum: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 100 }),
    totalCount: Type.Integer({ minimum: 0 }),
    hasNext: Type.Boolean()
  },
  { $id: 'Pagination' }
)

export const Actor = Type.Object(
  {
    id: Type.String(),
    name: Type.Optional(Type.String()),
    firstName: Type.Optional(Type.String()),
    lastName: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    source: Type.Optional(Type.String({ description: 'api, system or integration' })),
    subSource: Type.Optional(Type.String())
  },
  { $id: 'Actor' }
)

export const Updated = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    by: ref(Actor)
  },
  { $id: 'Updated' }
)

export const sharedSchemas = [ErrorDetail, ErrorResponse, Pagination, Actor, Updated]

export type ActorShape = Static<typeof Actor>
export type UpdatedShape = Static<typeof Updated>
export type PaginationShape = Static<typeof Pagination>

/** A reference to a shared component that keeps the component's static type. */
export function ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ $ref: `${(schema as unknown as { $id: string }).$id}#` })
}

export function envelope<T extends TSchema>(data: T) {
  return Type.Object({ success: Type.Literal(true), data })
}

export function listEnvelope<T extends TSchema>(item: T) {
  return Type.Object({ success: Type.Literal(true), data: Type.Array(item), pagination: ref(Pagination) })
}

/** Every route answers errors in the one envelope. */
export const errorResponses = {
  '4xx': ref(ErrorResponse),
  '5xx': ref(ErrorResponse)
}

// Deeper than a million rows, offset paging is the wrong tool; the bound also keeps the value a
// number PostgreSQL's OFFSET takes.
export const MAX_OFFSET = 1_000_000

export const paginationQuery = {
  offset: Type.Integer({
    minimum: 0,
    maximum: MAX_OFFSET,
    default: 0,
    description: 'Results to skip when paginating through a result set'
  }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Maximum number of results to return' })
}

export const AccountParams = Type.Object({
  accountId: Type.String({ description: 'Account to apply operations to' })
})

/** A media link a carrier fetches: only http(s), never file:, javascript: or other schemes. */
export function mediaUrl() {
  return Type.String({ format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: 2048 })
}
