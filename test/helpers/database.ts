import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { migrateToLatest, migrationsFolder } from '../../src/db/migrator.ts'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url)
    throw new Error(
      'DATABASE_URL is not set: run the tests with `npm test`, which starts an embedded PostgreSQL when needed'
    )
  return url
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

// The template is named after the migrations' content, so changing a migration builds a new one.
function templateName(): string {
  const hash = createHash('sha256')
  for (const file of readdirSync(migrationsFolder).sort())
    hash.update(file).update(readFileSync(path.join(migrationsFolder, file)))
  return `parley_tpl_${hash.digest('hex').slice(0, 16)}`
}

async function ensureTemplate(admin: pg.Client, template: string): Promise<void> {
  // Test files run in parallel processes; one builds the template while the others wait.
  await admin.query('SELECT pg_advisory_lock(hashtext($1))', ['parley-test-template'])
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])
    if (found.rowCount) return
    await admin.query(`CREATE DATABASE "${template}"`)
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: withDatabase(serverUrl(), template), max: 1 })
      })
    })
    try {
      await migrateToLatest(db)
    } finally {
      await db.destroy()
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', ['parley-test-template'])
  }
}

/** A fresh, migrated database for one test file (cloned from a template), dropped at teardown. */
export async function createTestDatabase(t: Teardown): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl() })
  await admin.connect()
  const name = `parley_test_${randomBytes(6).toString('hex')}`
  try {
    const template = templateName()
    await ensureTemplate(admin, template)
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`)
  } finally {
    await admin.end()
  }
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: serverUrl() })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await client.end()
  })
  return withDatabase(serverUrl(), name)
}
