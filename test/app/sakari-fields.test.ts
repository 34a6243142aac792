import t from 'tap'
import { ensureBootstrapAccount } from '../../src/resources/accounts/bootstrap.ts'
import { buildTestApp } from '../helpers/app.ts'
import { sakariExample, loadReference, missingProperties, responseSchema } from '../helpers/declared-fields.ts'
import { requestToken } from '../helpers/fixtures.ts'
import { caller, type Method } from '../helpers/api.ts'
import { eventually, quickSandbox } from '../helpers/messaging.ts'

const reference = loadReference()

// Properties the official document declares that an answer carries only when they apply: `error` only
// on what failed (and on a list's envelope only when the list failed), `template` only on outgoing
// messages (the conversation's last message here is the contact's reply).
const whenTheyApply = new Set([
  'contacts.create 201 data.contacts[].error',
  'messages.fetchAll 200 data[].template',
  ...['conversations.fetchAll 200 data[]', 'conversations.fetch 200 data', 'conversations.close 200 data'].flatMap(
    (conversation) => [`${conversation}.lastMessage.error`, `${conversation}.lastMessage.template`]
  ),
  'contacts.fetchAll 200 error',
  'contacts.fetchAll 200 data[].error',
  'contacts.fetch 200 data.error',
  'contacts.update 200 data.error',
  'conversations.fetchAll 200 error',
  'templates.fetchAll 200 error',
  'campaigns.fetchAll 200 error',
  'templates.create 201 error',
  'messages.fetchAll 200 error',
  'messages.fetchAll 200 data[].error',
  'messages.fetch 200 data.error',
  'messages.send 200 data.messages[].error'
])

t.test('answers to the implemented operations carry every property the official schemas declare', async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  await ensureBootstrapAccount(app.db, sakariExample, true)
  const token = await requestToken(app, sakariExample.clientId, sakariExample.clientSecret)
  const acme = caller(app, { accountId: 'acme', headers: { authorization: `Bearer ${token}` } })
  const answers: [operationId: string, status: number, body: unknown][] = []
  const call = async (
    operationId: string,
    method: Method,
    path: string,
    payload?: object | string,
    contentType?: string
  ) => {
    const { status, body } = await acme(
      method,
      path,
      payload,
      contentType ? { ...acme.headers, 'content-type': contentType } : acme.headers
    )
    answers.push([operationId, status, body])
    return body
  }

  // The token endpoint lives outside the account's path.
  const tokenAnswer = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    payload: {
      grant_type: 'client_credentials',
      client_id: sakariExample.clientId,
      client_secret: sakariExample.clientSecret
    }
  })
  answers.push(['auth.token', tokenAnswer.statusCode, tokenAnswer.json()])
  const template = (
    await call('templates.create', 'POST', '/templates', {
      name: 'Test Template',
      template: 'Hi {{ firstName }}, Welcome to Sakari!',
      type: 'SMS'
    })
  ).data[0]
  await call('templates.fetchAll', 'GET', '/templates')
  await call('templates.fetch', 'GET', `/templates/${template.id}`)
  await call('templates.update', 'PUT', `/templates/${template.id}`, { name: 'Renamed' })

  const contact = (
    await call('contacts.create', 'POST', '/contacts', {
      firstName: 'Joe',
      lastName: 'Bloggs',
      email: 'joebloggs@sakari.co',
      mobile: { number: '+1234567890', country: 'US' },
      tags: [{ tag: 'vip', visible: true }]
    })
  ).data[0]
  await call(
    'contacts.create',
    'POST',
    '/contacts',
    'country,firstName,lastName,email,mobile\nUS,Ann,Other,ann@example.com,212-555-0142\n',
    'text/csv'
  )
  await call('contacts.fetchAll', 'GET', '/contacts')
  await call('contacts.fetch', 'GET', `/contacts/${contact.id}`)
  await call('contacts.update', 'PUT', `/contacts/${contact.id}`, { lastName: 'Bloggs-Smith' })

  const sent = await call('messages.send', 'POST', '/messages', {
    contacts: [{ id: contact.id }],
    template: 'Congratulations! You just sent your first message'
  })
  const messageId = sent.data.messages[0].id
  await eventually(
    async () => (await acme('GET', `/messages/${messageId}`)).body.data.status,
    (status) => status === 'delivered'
  )
  await acme('POST', '/sandbox/inbound', { from: '+11234567890', to: '+14155550100', message: 'Thanks!' })
  await call('messages.fetchAll', 'GET', '/messages')
  await call('messages.fetch', 'GET', `/messages/${messageId}`)
  const conversations = await call('conversations.fetchAll', 'GET', '/conversations')
  const conversationId = conversations.data[0].id
  await call('conversations.fetch', 'GET', `/conversations/${conversationId}`)
  await call('conversations.close', 'PUT', `/conversations/${conversationId}/close`)
  const campaign = (
    await call('campaigns.create', 'POST', '/campaigns', {
      name: 'Marketing Campaign',
      trigger: { code: 'M' },
      template: 'Hi {{{contact.firstName}}}',
      reporting: { when: 'NoReport' }
    })
  ).data
  await call('campaigns.fetchAll', 'GET', '/campaigns')
  await call('campaigns.fetch', 'GET', `/campaigns/${campaign.id}`)
  await call('campaigns.update', 'PUT', `/campaigns/${campaign.id}`, { name: 'Renamed' })
  await call('campaigns.remove', 'DELETE', `/campaigns/${campaign.id}`)
  const shared = await app.inject({
    method: 'POST',
    url: '/v1/tools/sharefile',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    payload: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
  })
  answers.push(['tools.shareFile', shared.statusCode, shared.json()])
  await call('templates.remove', 'DELETE', `/templates/${template.id}`)
  await call('contacts.remove', 'DELETE', `/contacts/${contact.id}`)

  const missing = new Set<string>()
  for (const [operationId, status, body] of answers) {
    t.ok(status < 300, `${operationId} succeeded (${status})`)
    for (const path of missingProperties(reference, responseSchema(reference, operationId, String(status)), body))
      missing.add(`${operationId} ${status} ${path}`)
  }
  t.same(
    [...missing].filter((path) => !whenTheyApply.has(path)),
    [],
    'nothing declared is missing where Parley knows it'
  )
  t.match(conversations.data[0], { phoneNumber: { number: '+14155550100', active: true } })
  t.match(sent.data.messages[0].created.by, { id: sakariExample.clientId, firstName: 'API client', lastName: '' })
})
