import { errorCatalog, type ErrorCode } from './catalog.ts'

// The one error type routes throw; the error handler renders it in Sakari's envelope.
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly headers: Record<string, string>

  constructor(code: ErrorCode, message?: string, headers: Record<string, string> = {}) {
    super(message ?? errorCatalog[code].message)
    this.name = 'ApiError'
    this.code = code
    this.statusCode = errorCatalog[code].status
    this.headers = headers
  }
}
