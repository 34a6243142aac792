import { readFileSync } from 'node:fs'
import newman from 'newman'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'

// The committed collection, run by newman against a server on a real port, given only the four
// variables docs/api/openapi.md asks a Postman user to set.
t.test('the Postman collection runs by itself: every request passes, in order', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const collection = JSON.parse(
    readFileSync(new URL('../../openapi/parley.postman_collection.json', import.meta.url), 'utf8')
  )
  const environment = {
    values: [
      { key: 'baseUrl', value: address, enabled: true },
      { key: 'AccountId', value: account.accountId, enabled: true },
      { key: 'ClientId', value: account.clientId, enabled: true },
      { key: 'ClientSecret', value: account.clientSecret, enabled: true }
    ]
  }
  const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) =>
    newman.run({ collection, environment, reporters: [] }, (error, summary) =>
      error ? reject(error) : resolve(summary)
    )
  )
  const { requests, assertions, testScripts, prerequestScripts } = summary.run.stats
  const items = collection.item.flatMap((folder: { item: unknown[] }) => folder.item).length
  // Requests a script sends (the token, moving a sender) count as executions of the item that sent them.
  const ran = (executions: typeof summary.run.executions) => new Set(executions.map(({ item }) => item.id)).size
  t.equal(ran(summary.run.executions), items, 'every request of the collection ran')
  t.equal(requests.failed, 0)
  t.same(
    summary.run.failures.map((failure) => `${failure.source?.name}: ${failure.error.message}`),
    [],
    'no request fails'
  )
  t.equal(assertions.failed, 0)
  const tested = (pattern: RegExp) =>
    ran(
      summary.run.executions.filter((execution) =>
        execution.assertions?.some(({ assertion }) => pattern.test(assertion))
      )
    )
  t.equal(tested(/^answers \d{3}$/), items, 'every request tests its status')
  t.equal(
    tested(/^answers success: true$/),
    items - 1 - tested(/^answers 204$/),
    "every request but the token's (OAuth's own shape) and those answering 204 (no body) tests the envelope"
  )
  t.equal(testScripts.failed, 0)
  t.equal(prerequestScripts.failed, 0)
  t.comment(
    `newman: ${items} items, ${requests.total} requests, ${assertions.total} assertions, ${assertions.failed} failed`
  )
})
