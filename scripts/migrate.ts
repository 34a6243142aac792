// `npm run migrate`: applies pending migrations to the configured (or embedded) database and exits.
import { loadConfigOrExit } from '../src/config.ts'
import { openDatabase } from '../src/db/open.ts'

const database = await openDatabase(loadConfigOrExit(process.env))
process.stdout.write(`database is at the latest migration (${database.embedded ? 'embedded' : 'DATABASE_URL'})\n`)
await database.close()
