import { createSigner } from 'fast-jwt'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'

t.test('bearer authentication', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const url = `/v1/accounts/${account.accountId}`

  t.test('no token: 401 in the envelope with WWW-Authenticate', async (t) => {
    const response = await app.inject({ url })
    t.equal(response.statusCode, 401)
    t.equal(response.json().error.code, 'AUTH-001')
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
      const response = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
      t.equal(response.statusCode, 401)
      t.equal(response.json().error.code, 'AUTH-001')
      t.match(response.headers['www-authenticate'], /error="invalid_token"/)
    }
    const basic = await app.inject({ url, headers: { authorization: 'Basic abc' } })
    t.equal(basic.statusCode, 401)
  })

  t.test('only HS256 tokens with an expiry are accepted', async (t) => {
    const key = 'test-signing-secret-that-is-long-enough-0123456789'
    const claims = { acct: account.accountId, cred: 'x', sub: 'x', scope: '' }
    const exp = Math.floor(Date.now() / 1000) + 600
    const hs512 = createSigner({ key, algorithm: 'HS512' })({ ...claims, exp })
    const noExpiry = createSigner({ key, algorithm: 'HS256' })(claims)
    for (const token of [hs512, noExpiry]) {
      const response = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
      t.equal(response.statusCode, 401)
      t.equal(response.json().error.code, 'AUTH-001')
    }
    const [, payload] = account.token.split('.')
    const issued = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    t.type(issued.exp, 'number', 'the tokens Parley issues carry exp')
    const header = JSON.parse(Buffer.from(account.token.split('.')[0]!, 'base64url').toString())
    t.equal(header.alg, 'HS256')
  })

  t.test('a user-bound credential acts as its user and role', async (t) => {
    const sender = await createTestUser(app, account.accountId, 'Sender')
    const read = await app.inject({ url: `${url}/users`, headers: sender.headers })
    t.equal(read.statusCode, 200)
    const write = await app.inject({
      method: 'POST',
      url: `${url}/users`,
      headers: sender.headers,
      payload: { email: 'x@example.com', role: 'Sender' }
    })
    t.equal(write.statusCode, 403)
    t.equal(write.json().error.code, 'ACCT-016')
    const credentials = await app.inject({ url: `${url}/credentials`, headers: sender.headers })
    t.equal(credentials.statusCode, 403)
  })

  t.test('X-Parley-User-Email makes an account-wide credential act as that user', async (t) => {
    const readOnly = await createTestUser(app, account.accountId, 'Read Only', 'integration.user@example.com')
    const acting = await app.inject({
      method: 'POST',
      url: `${url}/users`,
      headers: { ...account.headers, 'x-parley-user-email': 'Integration.User@example.com' },
      payload: { email: 'y@example.com', role: 'Sender' }
    })
    t.equal(acting.statusCode, 403, 'the Read Only user may not create users')
    t.equal(acting.json().error.code, 'ACCT-016')

    const unknown = await app.inject({
      url,
      headers: { ...account.headers, 'x-parley-user-email': 'stranger@example.com' }
    })
    t.equal(unknown.statusCode, 403)
    t.equal(unknown.json().error.code, 'AUTH-003')

    const boundElsewhere = await app.inject({
      url,
      headers: { ...readOnly.headers, 'x-parley-user-email': 'someone.else@example.com' }
    })
    t.equal(boundElsewhere.statusCode, 403, 'a user-bound credential cannot act for another user')
  })
})

t.test('tenancy: one account never reaches another', async (t) => {
  const app = await buildTestApp(t)
  const alice = await createTestAccount(app, 'Alice Inc')
  const bob = await createTestAccount(app, 'Bob Ltd')
  const bobCredentials = await app.inject({ url: `/v1/accounts/${bob.accountId}/credentials`, headers: bob.headers })
  const bobCredentialId = bobCredentials.json().data[0].id

  for (const path of ['', '/users', '/credentials']) {
    const response = await app.inject({ url: `/v1/accounts/${bob.accountId}${path}`, headers: alice.headers })
    t.equal(response.statusCode, 403, `GET ${path || '/'} of another account`)
    t.same(response.json(), { success: false, error: { code: 'ACCT-008', message: 'Account ID is invalid' } })
  }
  const create = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${bob.accountId}/users`,
    headers: alice.headers,
    payload: { email: 'spy@example.com', role: 'Administrator' }
  })
  t.equal(create.statusCode, 403)

  const revokeForeign = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${alice.accountId}/credentials/${bobCredentialId}/revoke`,
    headers: alice.headers
  })
  t.equal(revokeForeign.statusCode, 404, "another account's credential id is simply not found")
  t.equal(revokeForeign.json().error.code, 'AUTH-004')
  const stillWorks = await app.inject({ url: `/v1/accounts/${bob.accountId}`, headers: bob.headers })
  t.equal(stillWorks.statusCode, 200)

  const aliceUsers = await app.inject({ url: `/v1/accounts/${alice.accountId}/users`, headers: alice.headers })
  t.ok(aliceUsers.json().data.every((user: { email: string }) => !user.email.startsWith('spy')))
})

t.test('creating a credential ignores a chosen clientId and clientSecret', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const created = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${account.accountId}/credentials`,
    headers: account.headers,
    payload: { name: 'ci', clientId: 'chosen-client-id', clientSecret: 'chosen-secret' }
  })
  t.equal(created.statusCode, 201)
  const { clientId, clientSecret, name } = created.json().data
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
