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
