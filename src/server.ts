import { buildApp } from './app.ts'
import { loadConfigOrExit, type Config } from './config.ts'
import { openDatabase } from './db/open.ts'
import { tasks } from './jobs/tasks.ts'
import { createDemoAccountIfEmpty, ensureBootstrapAccount } from './resources/accounts/bootstrap.ts'
import { stopOnSignals, type Running } from './shutdown.ts'

function demoBanner(demo: { accountId: string; clientId: string; clientSecret: string }, port: number): string {
  const line = '='.repeat(72)
  return [
    line,
    'Parley created a demo account on this empty database. The secret is shown only now:',
    '',
    `  export PARLEY_URL=http://localhost:${port}`,
    `  export ACCOUNT_ID=${demo.accountId}`,
    `  export CLIENT_ID=${demo.clientId}`,
    `  export CLIENT_SECRET=${demo.clientSecret}`,
    '',
    'See the README quick start for the curl calls that use them.',
    line,
    ''
  ].join('\n')
}

async function start(config: Readonly<Config>): Promise<Running> {
  const started = Date.now()
  const { db, url: databaseUrl, embedded } = await openDatabase(config)

  let demo
  if (config.bootstrap) await ensureBootstrapAccount(db, config.bootstrap, config.demoSender)
  else if (embedded) demo = await createDemoAccountIfEmpty(db, config.demoSender)

  const app = await buildApp({ ...config, databaseUrl }, { db, tasks })
  await app.listen({ port: config.port, host: config.host })
  if (embedded) app.log.info({ dataDir: embedded.dataDir }, `embedded PostgreSQL data folder: ${embedded.dataDir}`)
  app.log.info({ startupMs: Date.now() - started, embedded: Boolean(embedded) }, 'Parley is ready')
  if (demo) process.stdout.write(demoBanner(demo, config.port))
  return { close: () => app.close(), log: app.log, embedded }
}

const starting = start(loadConfigOrExit(process.env))
stopOnSignals(starting, 'Parley')
starting.catch((error: unknown) => {
  process.stderr.write(
    `Parley failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  )
  process.exit(1)
})
