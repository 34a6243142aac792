import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database, Db } from './database.ts'

// COUNT(*) and other int8 values fit comfortably in a JS number at Parley's scale.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

export function createDb (connectionString: string, poolSize: number): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize })
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', () => {})
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}
