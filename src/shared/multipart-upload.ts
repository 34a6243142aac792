import type { FastifyRequest } from 'fastify'
import { ApiError } from '../errors/api-error.ts'

export interface Upload {
  source: AsyncIterable<Buffer>
  fields: Record<string, string>
  /** The file part's field name and declared type. */
  fieldName: string
  mimetype: string
}

// The multipart parser's own errors (no boundary, a body cut short) carry no status: they are the
// client's malformed body, a 400, not a server fault.
function malformedMultipart(error: unknown): unknown {
  if (error instanceof Error && (error as { statusCode?: number }).statusCode === undefined)
    return new ApiError('REQ-002', `Malformed multipart body: ${error.message}`)
  return error
}

async function* readMultipart(file: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  try {
    yield* file
  } catch (error) {
    throw malformedMultipart(error)
  }
}

/**
 * The first file part of a multipart body, streamed; fields sent before it count too. `noFile` is
 * the answer when the body has no file part (each upload names its own code).
 */
export async function multipartUpload(request: FastifyRequest, noFile: () => ApiError): Promise<Upload> {
  const part = await request.file().catch((error: unknown) => {
    throw malformedMultipart(error)
  })
  if (!part) throw noFile()
  const fields: Record<string, string> = {}
  for (const [name, field] of Object.entries(part.fields)) {
    const value = Array.isArray(field) ? field[0] : field
    if (value && value.type === 'field' && typeof value.value === 'string') fields[name] = value.value
  }
  return { source: readMultipart(part.file), fields, fieldName: part.fieldname, mimetype: part.mimetype }
}
