// `npm run openapi`: asks the app for its OpenAPI document and writes it, with the Postman
// collection and the TypeScript types made from it, under openapi/, and regenerates the generated
// tables of docs/ (the error catalogue and the configuration variables, scripts/docs-tables.ts).
// test/app/openapi.test.ts fails when any of them drifts.
import { readFileSync, writeFileSync } from 'node:fs'
import { buildApp } from '../src/app.ts'
import { tasks } from '../src/jobs/tasks.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/open.ts'
import { generatedPages } from './docs-tables.ts'
import { openApiText, openApiTypesText } from './openapi-document.ts'
import { postmanCollectionText } from './postman-collection.ts'

// The document depends on the routes only, but building the app starts the job queue, which needs
// a database: the configured one, or the embedded one in PARLEY_DATA_DIR. No workers run.
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', PARLEY_WORKERS: 'false' })
const database = await openDatabase(config)
const app = await buildApp({ ...config, databaseUrl: database.url }, { db: database.db, tasks })
await app.ready()
const text = openApiText(app)
writeFileSync(new URL('../openapi/openapi.json', import.meta.url), text)
writeFileSync(
  new URL('../openapi/parley.postman_collection.json', import.meta.url),
  postmanCollectionText(JSON.parse(text))
)
writeFileSync(new URL('../openapi/parley.d.ts', import.meta.url), await openApiTypesText(JSON.parse(text)))
for (const page of generatedPages) {
  const file = new URL(`../${page.path}`, import.meta.url)
  writeFileSync(file, page.regenerate(readFileSync(file, 'utf8')))
}
await app.close()
await database.embedded?.stop()
process.stdout.write(
  `wrote openapi/openapi.json, openapi/parley.postman_collection.json, openapi/parley.d.ts, ${generatedPages.map((page) => page.path).join(', ')}\n`
)
