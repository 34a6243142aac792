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
  })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** Throws unless the database answers a trivial query: the readiness check. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db)
}
