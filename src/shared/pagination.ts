import type { PaginationShape } from './schemas.ts'

export interface PageRequest {
  offset: number
  limit: number
}

export interface Page<T> {
  items: T[]
  totalCount: number
}

export function paginationOf (request: PageRequest, totalCount: number): PaginationShape {
  return {
    offset: request.offset,
    limit: request.limit,
    totalCount,
    hasNext: request.offset + request.limit < totalCount
  }
}

/** The list envelope every paginated route answers with. */
export function pageResponse<T> (request: PageRequest, page: Page<T>) {
  return { success: true as const, data: page.items, pagination: paginationOf(request, page.totalCount) }
}
