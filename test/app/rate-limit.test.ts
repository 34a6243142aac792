import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('API calls are throttled per credential with 429 and Retry-After', async (t) => {
  const app = await buildTestApp(t, { PARLEY_RATE_LIMIT_MAX: '3', PARLEY_RATE_LIMIT_WINDOW_SECONDS: '60' })
  const first = await createTestAccount(app)
  const second = await createTestAccount(app)
  const call = (account: typeof first) => caller(app, account)('GET', '')

  for (let i = 0; i < 3; i++) {
    const response = await call(first)
    t.equal(response.status, 200)
    t.equal(response.headers['x-ratelimit-remaining'], String(2 - i))
  }
  const limited = await call(first)
  t.equal(limited.status, 429)
  t.equal(limited.body.success, false)
  t.equal(limited.body.error.code, 'REQ-006')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back')
  t.equal((await call(second)).status, 200, 'another credential has its own budget')
})

// With REDIS_URL the counters live in Redis and two instances share one budget; without it each
// instance counts in its own memory. The test checks whichever the environment configures.
t.test('counters across two instances', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const env = {
    DATABASE_URL: databaseUrl,
    PARLEY_RATE_LIMIT_MAX: '2',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {})
  }
  const one = await buildTestApp(t, env)
  const two = await buildTestApp(t, env)
  const account = await createTestAccount(one)

  const throughOne = caller(one, account)
  t.equal((await throughOne('GET', '')).status, 200)
  t.equal((await throughOne('GET', '')).status, 200)
  const third = await caller(two, account)('GET', '')
  t.equal(
    third.status,
    process.env.REDIS_URL ? 429 : 200,
    process.env.REDIS_URL ? 'Redis: the budget is shared' : 'memory: each instance counts alone'
  )
})

t.test('traffic without a valid token is limited per address: failed auth, unknown routes, /ready', async (t) => {
  const app = await buildTestApp(t, { PARLEY_ANONYMOUS_RATE_LIMIT_MAX: '3', PARLEY_RATE_LIMIT_WINDOW_SECONDS: '60' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const invalid = { authorization: 'Bearer not-a-token' }
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await api('GET', '', undefined, invalid)).status)
  t.same(statuses, [401, 401, 401, 429], 'failed authentication counts')
  const probe = await app.inject({ url: '/v1/nothing-here' })
  t.equal(probe.statusCode, 429, 'an unknown route counts against the same address')
  t.equal(probe.json().error.code, 'REQ-006')
  t.equal((await app.inject({ url: '/ready' })).statusCode, 429, '/ready too')
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, '/health is free')
  t.equal((await api('GET', '')).status, 200, 'a valid token has its own budget')
  const other = await app.inject({ url: '/v1/nothing-here', remoteAddress: '192.0.2.7' })
  t.equal(other.statusCode, 404, 'another address has its own budget')
})

t.test('X-Forwarded-For is believed only from configured proxies', async (t) => {
  // Wrong secrets are limited per address (2 here) and per client id (high here, so the address decides).
  const limits = { PARLEY_TOKEN_ADDRESS_FAILURE_MAX: '2', PARLEY_TOKEN_RATE_LIMIT_MAX: '100' }
  const untrusting = await buildTestApp(t, limits)
  // Counters live in Redis when it is set, shared by every test file: this test's client id and
  // addresses are its own, so no other test's wrong secrets count against them.
  const clientId = `guess-${randomUUID()}`
  const token = (app: typeof untrusting, forwardedFor: string, remoteAddress: string) =>
    app.inject({
      method: 'POST',
      url: '/oauth2/token',
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor },
      payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'guess' }
    })
  const rotating = []
  for (let i = 0; i < 3; i++) rotating.push((await token(untrusting, `198.51.100.${i}`, '192.0.2.99')).statusCode)
  t.same(rotating, [401, 401, 429], 'by default, rotating the header does not bypass the limit')

  const trusting = await buildTestApp(t, { ...limits, PARLEY_TRUST_PROXY: '127.0.0.2' })
  const behindProxy = []
  for (let i = 0; i < 3; i++) behindProxy.push((await token(trusting, `198.51.100.${i}`, '127.0.0.2')).statusCode)
  t.same(behindProxy, [401, 401, 401], 'behind a configured proxy each client address has its own budget')
})
