import { readFileSync } from 'node:fs'
import t from 'tap'
import { generatedPages } from '../../scripts/docs-tables.ts'
import { openApiText, openApiTypesText } from '../../scripts/openapi-document.ts'
import { postmanCollectionText } from '../../scripts/postman-collection.ts'
import { buildTestApp } from '../helpers/app.ts'

t.test('the committed OpenAPI document and Postman collection match the code', async (t) => {
  const app = await buildTestApp(t)
  const generated = openApiText(app)
  const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')
  t.ok(generated === committed, 'openapi/openapi.json is current (run `npm run openapi` after changing routes)')
  const collection = readFileSync(new URL('../../openapi/parley.postman_collection.json', import.meta.url), 'utf8')
  t.ok(postmanCollectionText(JSON.parse(generated)) === collection, 'the Postman collection is current')
  const types = readFileSync(new URL('../../openapi/parley.d.ts', import.meta.url), 'utf8')
  t.ok((await openApiTypesText(JSON.parse(generated))) === types, 'openapi/parley.d.ts is current')
})

// docs/errors.md's table matches src/errors/catalog.ts, and docs/configuration.md lists every variable
// of src/config.ts with its description (a variable without one fails here).
t.test('the generated tables of docs/ match the code', async (t) => {
  for (const page of generatedPages) {
    const text = readFileSync(new URL(`../../${page.path}`, import.meta.url), 'utf8')
    t.ok(page.regenerate(text) === text, `${page.path} is current (run \`npm run openapi\`)`)
  }
})

t.test('the document is served, with a docs page', async (t) => {
  const app = await buildTestApp(t)
  const document = (await app.inject({ url: '/openapi.json' })).json()
  t.equal(document.openapi, '3.0.3')
  t.same(document.components.securitySchemes.sakari_auth.flows.clientCredentials.tokenUrl, '/oauth2/token')
  t.same(document.paths['/v1/accounts/{accountId}'].get.security, [{ sakari_auth: [] }])
  t.notOk(document.paths['/oauth2/token'].post.security, 'the token endpoint needs no token')
  const docs = await app.inject({ url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /text\/html/)
})
