import { createSigner } from 'fast-jwt'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('bearer authentication', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const url = ''

  t.test('no token: 401 in the envelope with WWW-Authenticate', async (t) => {
    const response = await api('GET', url, undefined, {})
    t.equal(response.status, 401)
    t.equal(response.body.error.code, 'AUTH-001')
    t.equal(response.headers['www-authenticate'], 'Bearer realm="parley"')
  })

  t.test('a malformed, forged or expired token: 401', async (t) => {
    const forged = createSigner({ key: 'another-secret-another-secret-another-secret' })({
      acct: account.accountId,
      cred: 'x',
      sub: 'x',
      scope: ''
    })
    const expired = createSigner({ key: 'test-signing-secret-that-is-long-enough-0123456789' })({
      acct: account.accountId,
      cred: 'x',
      sub: 'x',
      scope: '',
      iat: 1000,
      exp: 2000
    })
    for (const token of ['garbage', forged, expired]) {
      const response = await api('GET', url, undefined, { authorization: `Bearer ${token}` })
      t.equal(response.status, 401)
      t.equal(response.body.error.code, 'AUTH-001')
      t.match(response.headers['www-authenticate'], /error="invalid_token"/)
    }
    const basic = await api('GET', url, undefined, { authorization: 'Basic abc' })
    t.equal(basic.status, 401)
  })

  t.test('only HS256 tokens with an expiry are accepted', async (t) => {
    const key = 'test-signing-secret-that-is-long-enough-0123456789'
    const claims = { acct: account.accountId, cred: 'x', sub: 'x', scope: '' }
    const exp = Math.floor(Date.now() / 1000) + 600
    const hs512 = createSigner({ key, algorithm: 'HS512' })({ ...claims, exp })
    const noExpiry = createSigner({ key, algorithm: 'HS256' })(claims)
    for (const token of [hs512, noExpiry]) {
      const response = await api('GET', url, undefined, { authorization: `Bearer ${token}` })
      t.equal(response.status, 401)
      t.equal(response.body.error.code, 'AUTH-001')
    }
    const [, payload] = account.token.split('.')
    const issued = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    t.type(issued.exp, 'number', 'the tokens Parley issues carry exp')
    const header = JSON.parse(Buffer.from(account.token.split('.')[0]!, 'base64url').toString())
    t.equal(header.alg, 'HS256')
  })

  t.test('a user-bound credential acts as its user and role', async (t) => {
    const sender = await createTestUser(app, account.accountId, 'Sender')
    const read = await api('GET', `${url}/users`, undefined, sender.headers)
    t.equal(read.status, 200)
    const write = await api('POST', `${url}/users`, { email: 'x@example.com', role: 'Sender' }, sender.headers)
    t.equal(write.status, 403)
    t.equal(write.body.error.code, 'ACCT-016')
    const credentials = await api('GET', `${url}/credentials`, undefined, sender.headers)
    t.equal(credentials.status, 403)
  })

  t.test('X-Parley-User-Email makes an account-wide credential act as that user', async (t) => {
    const readOnly = await createTestUser(app, account.accountId, 'Read Only', 'integration.user@example.com')
    const acting = await api(
      'POST',
      `${url}/users`,
      { email: 'y@example.com', role: 'Sender' },
      { ...account.headers, 'x-parley-user-email': 'Integration.User@example.com' }
    )
    t.equal(acting.status, 403, 'the Read Only user may not create users')
    t.equal(acting.body.error.code, 'ACCT-016')

    const unknown = await api('GET', url, undefined, {
      ...account.headers,
      'x-parley-user-email': 'stranger@example.com'
    })
    t.equal(unknown.status, 403)
    t.equal(unknown.body.error.code, 'AUTH-003')

    const boundElsewhere = await api('GET', url, undefined, {
      ...readOnly.headers,
      'x-parley-user-email': 'someone.else@example.com'
    })
    t.equal(boundElsewhere.status, 403, 'a user-bound credential cannot act for another user')
  })
})

t.test('tenancy: one account never reaches another', async (t) => {
  const app = await buildTestApp(t)
  const alice = await createTestAccount(app, 'Alice Inc')
  const bob = await createTestAccount(app, 'Bob Ltd')
  const bobCredentials = await caller(app, bob)('GET', '/credentials')
  const bobCredentialId = bobCredentials.body.data[0].id

  for (const path of ['', '/users', '/credentials']) {
    const response = await caller(app, bob)('GET', `${path}`, undefined, alice.headers)
    t.equal(response.status, 403, `GET ${path || '/'} of another account`)
    t.same(response.body, { success: false, error: { code: 'ACCT-008', message: 'Account ID is invalid' } })
  }
  const create = await caller(app, bob)(
    'POST',
    '/users',
    { email: 'spy@example.com', role: 'Administrator' },
    alice.headers
  )
  t.equal(create.status, 403)

  const revokeForeign = await caller(app, alice)('POST', `/credentials/${bobCredentialId}/revoke`)
  t.equal(revokeForeign.status, 404, "another account's credential id is simply not found")
  t.equal(revokeForeign.body.error.code, 'AUTH-004')
  const stillWorks = await caller(app, bob)('GET', '')
  t.equal(stillWorks.status, 200)

  const aliceUsers = await caller(app, alice)('GET', '/users')
  t.ok(aliceUsers.body.data.every((user: { email: string }) => !user.email.startsWith('spy')))
})

t.test('creating a credential ignores a chosen clientId and clientSecret', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const created = await api('POST', '/credentials', {
    name: 'ci',
    clientId: 'chosen-client-id',
    clientSecret: 'chosen-secret'
  })
  t.equal(created.status, 201)
  const { clientId, clientSecret, name } = created.body.data
  t.equal(name, 'ci')
  t.not(clientId, 'chosen-client-id')
  t.not(clientSecret, 'chosen-secret')

  const chosen = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    payload: { grant_type: 'client_credentials', client_id: 'chosen-client-id', client_secret: 'chosen-secret' }
  })
  t.equal(chosen.statusCode, 401, 'no credential answers to the chosen id and secret')
  const issued = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
  })
  t.equal(issued.statusCode, 200)
})
