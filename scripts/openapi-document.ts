import type { FastifyInstance } from 'fastify'
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript'

/** The app's own OpenAPI document, serialised the one way the committed file is written. */
export function openApiText(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`
}

/** TypeScript types of the document (`paths`, `components`) for typed clients such as openapi-fetch. */
export async function openApiTypesText(document: object): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(document as OpenAPI3))}`
}
