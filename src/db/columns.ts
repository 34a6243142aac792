import { sql, type RawBuilder } from 'kysely'

/**
 * Every column of a table, by name: the record must name each column of the table's type, so the
 * list fails to compile when a column is added or removed. Prepared statements name their columns
 * instead of `*` (src/db/connect.ts says why).
 */
export const columnsOf = <Table>(columns: Record<keyof Table, 0>): string[] => Object.keys(columns)

/** The columns as a select list, each qualified by the table alias when one is given. */
export const selectList = (columns: readonly string[], alias?: string): RawBuilder<unknown> =>
  sql.join(columns.map((column) => sql.ref(alias === undefined ? column : `${alias}.${column}`)))
