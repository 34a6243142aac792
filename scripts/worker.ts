// `npm run worker`: a process that only runs background jobs (dispatch, status reports, expansion,
// imports) and the carriers' connections; see startWorker in src/worker.ts.
import { loadConfigOrExit } from '../src/config.ts'
import { openDatabase } from '../src/db/open.ts'
import { stopOnSignals, type Running } from '../src/shutdown.ts'
import { startWorker } from '../src/worker.ts'

const config = loadConfigOrExit(process.env)

async function start(): Promise<Running> {
  const database = await openDatabase(config)
  const worker = await startWorker({ ...config, databaseUrl: database.url }, { db: database.db })
  return { close: worker.close, log: worker.deps.log, embedded: database.embedded }
}

const starting = start()
stopOnSignals(starting, 'Parley worker')
await starting
