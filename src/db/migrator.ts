import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import { FileMigrationProvider, Migrator, type MigrationResultSet } from 'kysely/migration'

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url))

// Kysely's Postgres adapter takes an advisory lock, so instances starting together migrate once.
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: migrationsFolder })
  })
  const result = await migrator.migrateToLatest()
  if (result.error) throw result.error
  return result
}
