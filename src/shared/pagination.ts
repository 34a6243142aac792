import type { PaginationShape } from './schemas.ts'

export interface PageRequest {
  offset: number
  limit: number
}

export interface Page<T> {
  items: T[]
  totalCount: number
}

export function paginationOf(request: PageRequest, totalCount: number): PaginationShape {
  return {
    offset: request.offset,
    limit: request.limit,
    totalCount,
    hasNext: request.offset + request.limit < totalCount
  }
}

/** The list envelope every paginated route answers with; `toItem` maps stored rows to API shapes. */
export function pageResponse<T, U = T>(request: PageRequest, page: Page<T>, toItem?: (item: T) => U) {
  const data = toItem ? page.items.map((item) => toItem(item)) : (page.items as unknown as U[])
  return { success: true as const, data, pagination: paginationOf(request, page.totalCount) }
}
