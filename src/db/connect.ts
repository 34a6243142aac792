import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database, Db } from './database.ts'

// COUNT(*) and other int8 values fit comfortably in a JS number at Parley's scale.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

export function createDb(connectionString: string, poolSize: number): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize })
  // A client losing its connection (database restart) must not crash the process: the query in
  // flight fails on its own, and the pool replaces the client on the next checkout. The pool's
  // handler covers idle clients, the client's own covers one that is checked out.
  pool.on('error', () => {})
  pool.on('connect', (client) => {
    client.on('error', () => {})
    prepareMarkedStatements(client)
  })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

// Planning a point query with its subqueries costs PostgreSQL about ten times executing it. A
// statement whose text begins with `/* prepared <name> */` runs as a named prepared statement, so
// each connection plans it once; only statements whose best plan does not depend on their values
// (a lookup by key) are marked. They name their columns: a column added to the table by a newer
// instance's migration must not change the result type of a statement an older instance prepared.
const PREPARED = /^\/\* prepared (\w+) \*\//

function prepareMarkedStatements(client: pg.PoolClient): void {
  const send = client.query.bind(client) as (...args: unknown[]) => unknown
  client.query = ((text: unknown, ...rest: unknown[]) => {
    const name = typeof text === 'string' ? PREPARED.exec(text)?.[1] : undefined
    return name ? send({ name, text, values: rest[0] }, ...rest.slice(1)) : send(text, ...rest)
  }) as typeof client.query
}

/** Throws unless the database answers a trivial query: the readiness check. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db)
}
