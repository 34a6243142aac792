import { randomInt, randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('POST /oauth2/token', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const { clientId, clientSecret } = account

  t.test("JSON body, as in Sakari's curl example", async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(
        { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
        null,
        2
      )
    })
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.equal(body.token_type, 'Bearer')
    t.equal(body.expires_in, 3600)
    t.equal(body.scope, 'messages:send')
    t.equal(response.headers['cache-control'], 'no-store')
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString())
    t.equal(claims.acct, account.accountId)
    t.equal(claims.sub, clientId)
    t.ok(claims.exp - claims.iat === 3600, "the JWT carries exp, from which Sakari's SDK refreshes")

    const me = await caller(app, account)('GET', '', undefined, { authorization: `Bearer ${body.access_token}` })
    t.equal(me.status, 200)
    t.same(me.body.data.id, account.accountId)
  })

  t.test('form-encoded body', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret
      }).toString()
    })
    t.equal(response.statusCode, 200)
    t.type(response.json().access_token, 'string')
  })

  t.test('HTTP Basic client authentication', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`
      },
      payload: 'grant_type=client_credentials'
    })
    t.equal(response.statusCode, 200)
    t.type(response.json().access_token, 'string')
  })

  t.test('the bearer scheme is matched case-insensitively, as Sakari\'s SDK sends "bearer"', async (t) => {
    const response = await caller(app, account)('GET', '', undefined, { authorization: `bearer ${account.token}` })
    t.equal(response.status, 200)
  })

  t.test('wrong secret is invalid_client (401)', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong-secret' }
    })
    t.equal(response.statusCode, 401)
    t.equal(response.json().error, 'invalid_client')
    t.match(response.headers['www-authenticate'], /^Basic/)
  })

  t.test('unknown client is invalid_client (401)', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      payload: { grant_type: 'client_credentials', client_id: 'nobody', client_secret: clientSecret }
    })
    t.equal(response.statusCode, 401)
    t.equal(response.json().error, 'invalid_client')
  })

  t.test('wrong grant is unsupported_grant_type (400)', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      payload: { grant_type: 'password', client_id: clientId, client_secret: clientSecret }
    })
    t.equal(response.statusCode, 400)
    t.equal(response.json().error, 'unsupported_grant_type')
  })

  t.test('missing fields are invalid_request (400)', async (t) => {
    const noGrant = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      payload: { client_id: clientId, client_secret: clientSecret }
    })
    t.equal(noGrant.statusCode, 400)
    t.equal(noGrant.json().error, 'invalid_request')
    const noSecret = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      payload: { grant_type: 'client_credentials', client_id: clientId }
    })
    t.equal(noSecret.statusCode, 400)
    t.equal(noSecret.json().error, 'invalid_request')
  })

  t.test('an unreadable body is invalid_request (400), not a 500', async (t) => {
    const cases = [
      { headers: { 'content-type': 'application/json' }, payload: '{"grant_type": ' },
      { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: { nested: true } }) },
      { headers: { 'content-type': 'application/json' }, payload: '[1]' }
    ]
    for (const { headers, payload } of cases) {
      const response = await app.inject({ method: 'POST', url: '/oauth2/token', headers, payload })
      t.equal(response.statusCode, 400, payload)
      t.same(Object.keys(response.json()).sort(), ['error', 'error_description', 'success'])
      t.equal(response.json().error, 'invalid_request')
    }
  })
})

t.test('a revoked credential gets no token, and its tokens stop working', async (t) => {
  const app = await buildTestApp(t, { PARLEY_CREDENTIAL_CACHE_SECONDS: '0' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const created = await api('POST', '/credentials', { name: 'ci' })
  t.equal(created.status, 201)
  const { id, clientId, clientSecret } = created.body.data
  t.type(clientSecret, 'string', 'the secret is shown at creation')

  const token = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
  })
  const accessToken = token.json().access_token
  const before = await api('GET', '', undefined, { authorization: `Bearer ${accessToken}` })
  t.equal(before.status, 200)

  const revoked = await api('POST', `/credentials/${id}/revoke`)
  t.equal(revoked.status, 200)
  t.type(revoked.body.data.revokedAt, 'string')
  t.notOk('clientSecret' in revoked.body.data, 'the secret is never shown again')

  const after = await api('GET', '', undefined, { authorization: `Bearer ${accessToken}` })
  t.equal(after.status, 401)
  t.equal(after.body.error.code, 'AUTH-002')

  const again = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
  })
  t.equal(again.statusCode, 401)
  t.equal(again.json().error, 'invalid_client')

  const twice = await api('POST', `/credentials/${id}/revoke`)
  t.equal(twice.status, 409)
  t.equal(twice.body.error.code, 'AUTH-005')
})

const tokenRequest = (clientId: string, clientSecret: string, remoteAddress = '127.0.0.1') => ({
  method: 'POST' as const,
  url: '/oauth2/token',
  remoteAddress,
  payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
})

t.test('wrong secrets are throttled per client id and per address', async (t) => {
  const app = await buildTestApp(t, { PARLEY_TOKEN_RATE_LIMIT_MAX: '3', PARLEY_TOKEN_ADDRESS_FAILURE_MAX: '5' })
  const account = await createTestAccount(app)
  // Names of this run only: with REDIS_URL the counters outlive the test in a shared Redis.
  const run = randomUUID()
  const [here, elsewhere, third] = [1, 2, 3].map((n) => `10.${n}.${randomInt(256)}.${randomInt(256)}`)
  const guess = (clientId: string, address = here) => app.inject(tokenRequest(clientId, 'guess', address))

  for (let i = 0; i < 3; i++) t.equal((await guess(account.clientId)).statusCode, 401)
  const blocked = await guess(account.clientId, elsewhere)
  t.equal(blocked.statusCode, 429, 'the client id is spent, from any address')
  t.equal(blocked.json().error.code, 'REQ-006')
  t.ok(Number(blocked.headers['retry-after']) > 0, 'Retry-After is set')
  const right = await app.inject(tokenRequest(account.clientId, account.clientSecret, elsewhere))
  t.equal(right.statusCode, 429, 'while spent, not even the right secret is checked')

  t.equal((await guess(`other-${run}`)).statusCode, 401, 'another client id is counted apart')
  t.equal((await guess(`third-${run}`)).statusCode, 401)
  t.equal((await guess(`fourth-${run}`)).statusCode, 429, 'the address is spent: 5 wrong secrets over every client id')
  t.equal((await guess(`fourth-${run}`, third)).statusCode, 401, 'another address is counted apart')
})

t.test('the right secret is not throttled: 100 token requests in a minute all succeed', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const statuses = []
  for (let i = 0; i < 100; i++)
    statuses.push((await app.inject(tokenRequest(account.clientId, account.clientSecret))).statusCode)
  t.same(new Set(statuses), new Set([200]))
  // A burst in parallel too, as an SDK that fetches a token before every call sends them.
  const burst = await Promise.all(
    Array.from({ length: 25 }, () => app.inject(tokenRequest(account.clientId, account.clientSecret)))
  )
  t.same(new Set(burst.map((response) => response.statusCode)), new Set([200]))
  t.equal(
    (await app.inject(tokenRequest(account.clientId, 'wrong'))).statusCode,
    401,
    'successes spent no budget of wrong secrets'
  )
})

t.test('a revoked credential is refused at once, on every instance, after its secret was remembered', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const one = await buildTestApp(t, { DATABASE_URL: databaseUrl })
  const two = await buildTestApp(t, { DATABASE_URL: databaseUrl })
  const account = await createTestAccount(one)
  const throughOne = caller(one, account)
  const { id, clientId, clientSecret } = (await throughOne('POST', '/credentials', { name: 'sdk' })).body.data
  for (const app of [one, two, one, two])
    t.equal((await app.inject(tokenRequest(clientId, clientSecret))).statusCode, 200, 'remembered on both')

  const revoked = await throughOne('POST', `/credentials/${id}/revoke`)
  t.equal(revoked.status, 200)
  for (const app of [one, two]) {
    const refused = await app.inject(tokenRequest(clientId, clientSecret))
    t.equal(refused.statusCode, 401)
    t.equal(refused.json().error, 'invalid_client')
  }
})
