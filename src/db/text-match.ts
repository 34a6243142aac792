import { sql, type RawBuilder } from 'kysely'

/** An ILIKE pattern matching any text that contains `value`, with its % and _ taken literally. */
export const likePattern = (value: string) => `%${value.replace(/[\\%_]/g, (char) => `\\${char}`)}%`

/**
 * The `name` column contains `value`, ignoring case: the `name` filter of the lists of named things.
 * strpos, not LIKE: the filter is plain text, so % and _ in it must not act as wildcards.
 */
export function nameContains(value: string): RawBuilder<boolean> {
  return sql<boolean>`strpos(lower(name), ${value.toLowerCase()}) > 0`
}
