import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'

t.test('API calls are throttled per credential with 429 and Retry-After', async (t) => {
  const app = await buildTestApp(t, { PARLEY_RATE_LIMIT_MAX: '3', PARLEY_RATE_LIMIT_WINDOW_SECONDS: '60' })
  const first = await createTestAccount(app)
  const second = await createTestAccount(app)
  const call = (account: typeof first) =>
    app.inject({ url: `/v1/accounts/${account.accountId}`, headers: account.headers })

  for (let i = 0; i < 3; i++) {
    const response = await call(first)
    t.equal(response.statusCode, 200)
    t.equal(response.headers['x-ratelimit-remaining'], String(2 - i))
  }
  const limited = await call(first)
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().success, false)
  t.equal(limited.json().error.code, 'REQ-006')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back')
  t.equal((await call(second)).statusCode, 200, 'another credential has its own budget')
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

  const url = `/v1/accounts/${account.accountId}`
  t.equal((await one.inject({ url, headers: account.headers })).statusCode, 200)
  t.equal((await one.inject({ url, headers: account.headers })).statusCode, 200)
  const third = await two.inject({ url, headers: account.headers })
  t.equal(
    third.statusCode,
    process.env.REDIS_URL ? 429 : 200,
    process.env.REDIS_URL ? 'Redis: the budget is shared' : 'memory: each instance counts alone'
  )
})
