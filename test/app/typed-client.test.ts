import { readFileSync } from 'node:fs'
import t from 'tap'
import { listContactsAndSend } from '../../scripts/examples/typed-client.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'

const example = new URL('../../scripts/examples/typed-client.ts', import.meta.url)

t.test('the typed-client example of docs/api/openapi.md runs against a started server', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const call = caller(app, account)
  // The account's first sender joins its first group, which the example's send uses.
  await created(call('POST', '/senders', { number: uniqueNumber(), carrier: 'sandbox', status: 'active' }))
  await created(call('POST', '/contacts', { firstName: 'Ada', mobile: { number: '+12025550199', country: 'US' } }))
  const address = await app.listen({ port: 0, host: '127.0.0.1' })

  const { contacts, sent } = await listContactsAndSend(
    address,
    account.accountId,
    account.clientId,
    account.clientSecret
  )
  t.same(
    contacts.map((contact) => contact.mobile.number),
    ['+12025550199']
  )
  t.match(sent, { requested: 1, valid: 1, invalid: [], status: 'completed' })
  const stored = await call('GET', `/messages?jobId=${sent.jobId}`)
  t.equal(stored.status, 200)
  t.match(stored.body.data, [
    { message: 'Hi , your order has shipped', contact: { mobile: { number: '+12025550123' } } }
  ])
})

t.test('docs/api/openapi.md quotes the example as it is', async (t) => {
  const page = readFileSync(new URL('../../docs/api/openapi.md', import.meta.url), 'utf8')
  t.ok(
    page.includes(`\`\`\`ts\n${readFileSync(example, 'utf8')}\`\`\``),
    'docs/api/openapi.md holds scripts/examples/typed-client.ts'
  )
})
