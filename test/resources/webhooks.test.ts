import t from 'tap'
import { eventTypes } from '../../src/resources/events/events.table.ts'
import { caller, created } from '../helpers/api.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { embeddedAddressForms } from '../helpers/webhook-receiver.ts'

t.test('subscribe, list, fetch, change and unsubscribe by URL', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WORKERS: 'false', PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const url = 'http://127.0.0.1:9/hooks?source=parley'

  const subscribed = await api('POST', '/webhooks', { url, eventTypes: ['message-received', 'message-status'] })
  t.equal(subscribed.status, 200)
  t.match(subscribed.body.data, {
    id: String,
    type: 'webhook',
    url,
    destination: url,
    eventTypes: ['message-received', 'message-status'],
    status: 'active',
    created: { at: String, by: { id: account.clientId } }
  })
  t.match(subscribed.body.data.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'a Standard Webhooks secret, shown once')
  const id = subscribed.body.data.id

  const again = await api('POST', '/webhooks', { url, eventTypes: ['message-sent'] })
  t.equal(again.status, 409)
  t.equal(again.body.error.code, 'WHK-003')

  const list = await api('GET', '/webhooks')
  t.equal(list.status, 200)
  t.match(list.body.pagination, { offset: 0, limit: 10, totalCount: 1, hasNext: false })
  t.equal(list.body.data[0].id, id)
  t.notOk('secret' in list.body.data[0], 'the secret is never listed')
  t.notOk('secret' in (await created(api('GET', `/webhooks/${id}`))), 'nor fetched')

  const changed = await created(api('PUT', `/webhooks/${id}`, { eventTypes: ['contact-created'] }))
  t.same(changed.eventTypes, ['contact-created'])
  t.equal(changed.url, url)

  const unknownType = await api('POST', '/webhooks', { url: 'http://127.0.0.1:9/other', eventTypes: ['nope'] })
  t.equal(unknownType.status, 400)

  const removed = await app.inject({
    method: 'DELETE',
    url: `/v1/accounts/${account.accountId}/webhooks/${encodeURIComponent(url)}`,
    headers: account.headers
  })
  t.equal(removed.statusCode, 204)
  t.equal((await api('GET', `/webhooks/${id}`)).body.error.code, 'WHK-001')
  const twice = await api('DELETE', `/webhooks/${encodeURIComponent(url)}`)
  t.equal(twice.status, 404)
  t.equal(twice.body.error.code, 'WHK-001')
})

t.test('every event type Parley records can be subscribed to', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WORKERS: 'false', PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const all = await created(api('POST', '/webhooks', { url: 'http://127.0.0.1:9/all', eventTypes: [...eventTypes] }))
  t.same(all.eventTypes, eventTypes)
})

t.test('only Administrators manage webhooks', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WORKERS: 'false', PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const { id } = await created(
    api('POST', '/webhooks', { url: 'http://127.0.0.1:9/a', eventTypes: ['contact-created'] })
  )
  for (const role of ['Campaign Manager', 'Sender', 'Read Only'] as const) {
    const user = await createTestUser(app, account.accountId, role)
    for (const [method, path, body] of [
      ['GET', '/webhooks', undefined],
      ['POST', '/webhooks', { url: 'http://127.0.0.1:9/b', eventTypes: ['contact-created'] }],
      ['GET', `/webhooks/${id}`, undefined],
      ['POST', `/webhooks/${id}/secret`, undefined],
      ['POST', `/webhooks/${id}/pause`, undefined],
      ['GET', `/webhooks/${id}/deliveries`, undefined],
      ['DELETE', `/webhooks/${id}`, undefined]
    ] as const) {
      const answer = await api(method, path, body, user.headers)
      t.equal(answer.status, 403, `${role}: ${method} ${path}`)
      t.equal(answer.body.error.code, 'ACCT-016')
    }
  }
  t.equal((await api('GET', `/webhooks/${id}`)).status, 200, 'the subscription is untouched')
})

t.test('a foreign account sees no subscription', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WORKERS: 'false', PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const owner = caller(app, await createTestAccount(app))
  const stranger = caller(app, await createTestAccount(app))
  const { id } = await created(
    owner('POST', '/webhooks', { url: 'http://127.0.0.1:9/a', eventTypes: ['contact-created'] })
  )
  for (const [method, path] of [
    ['GET', `/webhooks/${id}`],
    ['PUT', `/webhooks/${id}`],
    ['POST', `/webhooks/${id}/resume`],
    ['POST', `/webhooks/${id}/replay`],
    ['DELETE', `/webhooks/${id}`]
  ] as const) {
    const answer = await stranger(method, path, method === 'GET' || method === 'DELETE' ? undefined : { eventId: 'x' })
    t.equal(answer.status, 404, `${method} ${path}`)
    t.equal(answer.body.error.code, 'WHK-001')
  }
  t.equal((await stranger('GET', '/webhooks')).body.pagination.totalCount, 0)
})

t.test('URLs on private addresses and other schemes are refused when subscribing', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WORKERS: 'false' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  for (const url of [
    'http://127.0.0.1:8080/hooks',
    'http://localhost/hooks',
    'http://10.1.2.3/hooks',
    'http://192.168.0.10/hooks',
    'http://172.16.5.4/hooks',
    'http://169.254.169.254/latest/meta-data',
    'http://100.100.100.200/',
    'http://[::1]/hooks',
    'http://[fd00:ec2::254]/',
    'http://[::ffff:127.0.0.1]/',
    'http://224.0.0.1/',
    'http://0.0.0.0/'
  ]) {
    const answer = await api('POST', '/webhooks', { url, eventTypes: ['message-received'] })
    t.equal(answer.status, 400, url)
    t.equal(answer.body.error.code, 'WHK-002', url)
  }
  for (const url of ['ftp://example.com/hooks', 'file:///etc/passwd', 'javascript:alert(1)']) {
    const answer = await api('POST', '/webhooks', { url, eventTypes: ['message-received'] })
    t.equal(answer.status, 400, url)
  }
  const publicAddress = await api('POST', '/webhooks', {
    url: 'https://93.184.215.14/hooks',
    eventTypes: ['message-received']
  })
  t.equal(publicAddress.status, 200, 'a public address is accepted')
  const { id } = publicAddress.body.data
  const moved = await api('PUT', `/webhooks/${id}`, { url: 'http://127.0.0.1/hooks' })
  t.equal(moved.status, 400, 'changing the URL is checked too')
  t.equal(moved.body.error.code, 'WHK-002')
})

t.test('IPv6 forms that embed an IPv4 address, and reserved IPv6 space, are refused when subscribing', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WORKERS: 'false' })
  const api = caller(app, await createTestAccount(app))
  for (const host of embeddedAddressForms) {
    const answer = await api('POST', '/webhooks', { url: `http://${host}/hooks`, eventTypes: ['message-received'] })
    t.equal(answer.status, 400, host)
    t.match(answer.body.error, { code: 'WHK-002', message: /is not a public address/ }, host)
  }
  for (const host of ['[64:ff9b::93.184.215.14]', '[2606:2800:220:1:248:1893:25c8:1946]']) {
    const answer = await api('POST', '/webhooks', { url: `https://${host}/hooks`, eventTypes: ['message-received'] })
    t.equal(answer.status, 200, `${host}: NAT64 of a public address, and public IPv6, are accepted`)
  }
  t.equal((await api('GET', '/webhooks')).body.pagination.totalCount, 2, 'only those two were stored')
})

t.test('rotating the secret, pausing and resuming', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WORKERS: 'false', PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const first = await created(
    api('POST', '/webhooks', { url: 'http://127.0.0.1:9/a', eventTypes: ['contact-created'] })
  )
  const rotated = await created(api('POST', `/webhooks/${first.id}/secret`))
  t.not(rotated.secret, first.secret)
  t.match(rotated.secret, /^whsec_/)
  const overlap = Date.parse(rotated.secretRotatedUntil) - Date.now()
  t.ok(overlap > 23.9 * 3600_000 && overlap <= 24 * 3600_000, 'the old secret keeps signing for 24 hours')

  t.equal((await created(api('POST', `/webhooks/${first.id}/pause`))).status, 'paused')
  t.equal((await created(api('POST', `/webhooks/${first.id}/resume`))).status, 'active')

  const noSelection = await api('POST', `/webhooks/${first.id}/replay`, {})
  t.equal(noSelection.status, 400)
  t.equal(noSelection.body.error.code, 'WHK-004')
  const unknownEvent = await api('POST', `/webhooks/${first.id}/replay`, { eventId: 'missing' })
  t.equal(unknownEvent.status, 404)
  t.equal(unknownEvent.body.error.code, 'WHK-005')
})
