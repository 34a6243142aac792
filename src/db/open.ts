import type { Config } from '../config.ts'
import { createDb } from './connect.ts'
import type { Db } from './database.ts'
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.ts'
import { migrateToLatest } from './migrator.ts'

export interface OpenDatabase {
  db: Db
  url: string
  embedded?: EmbeddedDatabase
  /** Closes the pool, then stops the embedded server if this process started it. */
  close: () => Promise<void>
}

/** The configured database, or the embedded one in the data folder, migrated to the latest version. */
export async function openDatabase(config: Readonly<Config>, log?: (message: string) => void): Promise<OpenDatabase> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: config.dataDir, log })
  const url = config.databaseUrl ?? embedded!.url
  const db = createDb(url, config.databasePoolSize)
  try {
    await migrateToLatest(db)
  } catch (error) {
    await db.destroy()
    await embedded?.stop()
    throw error
  }
  return {
    db,
    url,
    embedded,
    close: async () => {
      await db.destroy()
      await embedded?.stop()
    }
  }
}
