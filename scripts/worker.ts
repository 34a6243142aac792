// `npm run worker`: a process that only runs background jobs (dispatch, status reports, expansion,
// imports), for deployments that scale workers apart from the HTTP instances (PARLEY_WORKERS=false there).
import { buildApp } from '../src/app.ts'
import { ConfigError, loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/open.ts'

let config
try {
  config = { ...loadConfig(process.env), workers: true }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exit(1)
}

const database = await openDatabase(config)
const app = await buildApp({ ...config, databaseUrl: database.url }, { db: database.db })
await app.ready()
app.log.info('Parley worker is running')

let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  app.log.info({ signal }, 'worker stopping: finishing the jobs in hand')
  app.close().then(async () => { await database.embedded?.stop() }).then(() => process.exit(0), (error: unknown) => {
    app.log.error({ err: error }, 'worker shutdown failed')
    process.exit(1)
  })
}
process.once('SIGTERM', () => stop('SIGTERM'))
process.once('SIGINT', () => stop('SIGINT'))
