import { sql, type SelectQueryBuilder } from 'kysely'

/** COUNT(*) of the rows a list query matches: the exact `totalCount` of every paginated list. */
export async function countRows<DB, TB extends keyof DB, O> (query: SelectQueryBuilder<DB, TB, O>): Promise<number> {
  // Kysely cannot narrow the row type of a generic builder, hence the cast of a one-column row.
  const row = await query.clearSelect().select(sql<number>`count(*)`.as('count')).executeTakeFirstOrThrow() as unknown as { count: number }
  return row.count
}
