import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'

/**
 * The schema, or null, as OpenAPI 3.0 writes it (`nullable: true`). Unlike a union with Null, it
 * survives Ajv's type coercion: a union tries its branches in order and coerces on the way
 * (0 or "" to null, or null to 0 or ""), while a nullable type leaves null and values alone.
 */
export function nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true })
}
