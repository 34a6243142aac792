// `npm run worker`: a process that only runs background jobs (dispatch, status reports, expansion,
// imports), for deployments that scale workers apart from the HTTP instances (PARLEY_WORKERS=false there).
import { buildApp } from '../src/app.ts'
import { ConfigError, loadConfig, type Config } from '../src/config.ts'
import { openDatabase } from '../src/db/open.ts'
import { stopOnSignals, type Running } from '../src/shutdown.ts'

let config: Config
try {
  config = { ...loadConfig(process.env), workers: true }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exit(1)
}

async function start (): Promise<Running> {
  const database = await openDatabase(config)
  const app = await buildApp({ ...config, databaseUrl: database.url }, { db: database.db })
  await app.ready()
  app.log.info('Parley worker is running')
  return { app, embedded: database.embedded }
}

const starting = start()
stopOnSignals(starting, 'Parley worker')
await starting
