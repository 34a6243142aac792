import { ApiError } from './api-error.ts'
import type { ErrorCode } from './catalog.ts'

/**
 * The one way a value check refuses without throwing, for callers that must go on (a CSV import
 * reports the row and reads the next). Request-level code throws an ApiError instead, via orThrow.
 */
export class Refusal {
  readonly code: ErrorCode
  readonly message: string

  constructor(code: ErrorCode, message: string) {
    this.code = code
    this.message = message
  }

  /** The same refusal with the field it concerns named first, e.g. "attributes.plan must be a number". */
  about(field: string): Refusal {
    return new Refusal(this.code, `${field} ${this.message}`)
  }
}

/** The value, or the refusal thrown as the ApiError of its code. */
export function orThrow<T>(value: T | Refusal): T {
  if (value instanceof Refusal) throw new ApiError(value.code, value.message)
  return value
}
