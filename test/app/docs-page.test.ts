import t from 'tap'
import { errorCatalog } from '../../src/errors/catalog.ts'
import { buildTestApp } from '../helpers/app.ts'
import { browserContext } from '../helpers/browser.ts'

t.test('the docs page introduces Parley and finds an operation, in Chromium', async (t) => {
  const app = await buildTestApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const page = await (await browserContext(t)).newPage()
  await page.goto(`${address}/docs/`)

  t.equal(await page.title(), 'Parley API')
  await page.getByRole('heading', { name: 'Authentication', exact: true }).waitFor()
  t.notOk(await page.getByText('REQ-001').count(), 'the error table is not in front of the operations')
  const tags = await page.locator('.opblock-tag').allInnerTexts()
  t.match(tags[0], /^authentication/, 'authentication is the first group')
  t.ok(
    tags.some((tag) => tag.startsWith('messages')),
    'operations are grouped by resource'
  )

  await page.getByPlaceholder('Filter by tag or path').fill('messages')
  // The filter redraws the groups after a pause; a click before that redraw is lost with it.
  await page.locator('.opblock-tag', { hasText: /^authentication/ }).waitFor({ state: 'detached' })
  const send = page.locator('.opblock-summary', { hasText: '/v1/accounts/{accountId}/messages' }).first()
  for (let attempt = 0; attempt < 3 && !(await send.isVisible()); attempt++) {
    await page.getByRole('heading', { name: /^messages/ }).click()
    await send.waitFor({ timeout: 5000 }).catch(() => undefined)
  }
  await send.waitFor()
  t.match(await send.innerText(), /POST/, 'the send operation is listed')

  // Swagger UI opens the introduction's links in a new tab.
  const [catalogue] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByRole('link', { name: 'error catalogue' }).click()
  ])
  await catalogue.getByRole('heading', { name: 'Error codes' }).waitFor()
  t.equal(
    await catalogue.locator('tbody tr').count(),
    Object.keys(errorCatalog).length,
    'one row per code, one click away'
  )
})

t.test('the error catalogue page and the document keep every code', async (t) => {
  const app = await buildTestApp(t)
  const catalogue = await app.inject({ url: '/docs/errors' })
  t.equal(catalogue.statusCode, 200)
  t.match(catalogue.headers['content-type'], /^text\/html/)
  const document = (await app.inject({ url: '/openapi.json' })).json()
  t.notMatch(document.info.description, /REQ-001/, 'the introduction links the catalogue instead of holding it')
  t.equal(document.externalDocs.url, '/docs/errors')
  t.equal(document.tags[0].name, 'authentication')
  const codeDescription = document.components.schemas.Error.properties.code.description
  for (const code of Object.keys(errorCatalog)) {
    t.ok(catalogue.body.includes(`<code>${code}</code>`), `${code} on the page`)
    t.ok(codeDescription.includes(`| ${code} |`), `${code} in the document`)
  }
})
