import { sql, type SelectQueryBuilder } from 'kysely'
import type { Page, PageRequest } from '../shared/pagination.ts'

/** COUNT(*) of the rows a list query matches: the exact `totalCount` of every paginated list. */
export async function countRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): Promise<number> {
  // Kysely cannot narrow the row type of a generic builder, hence the cast of a one-column row.
  const row = (await query
    .clearSelect()
    .select(sql<number>`count(*)`.as('count'))
    .executeTakeFirstOrThrow()) as unknown as { count: number }
  return row.count
}

/**
 * A page with the exact count of its whole list. A page that ends short of `limit` tells the count
 * itself, so the count query runs only when more rows may follow: a selective search scans its
 * rows once instead of twice.
 */
export async function withTotalCount<T>(
  request: PageRequest,
  items: T[],
  count: () => Promise<number>
): Promise<Page<T>> {
  const endsHere = items.length < request.limit && (items.length > 0 || request.offset === 0)
  return { items, totalCount: endsHere ? request.offset + items.length : await count() }
}
