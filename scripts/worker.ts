// `npm run worker`: a process that only runs background jobs (dispatch, status reports, expansion,
// imports), for deployments that scale workers apart from the HTTP instances (PARLEY_WORKERS=false there).
import { buildApp } from '../src/app.ts'
import { loadConfigOrExit } from '../src/config.ts'
import { openDatabase } from '../src/db/open.ts'
import { stopOnSignals, type Running } from '../src/shutdown.ts'

const config = { ...loadConfigOrExit(process.env), workers: true }

async function start(): Promise<Running> {
  const database = await openDatabase(config)
  const app = await buildApp({ ...config, databaseUrl: database.url }, { db: database.db })
  await app.ready()
  app.log.info('Parley worker is running')
  return { app, embedded: database.embedded }
}

const starting = start()
stopOnSignals(starting, 'Parley worker')
await starting
