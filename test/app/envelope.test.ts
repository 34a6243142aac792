import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'

t.test('the wire contract', async (t) => {
  const app = await buildTestApp(t, { PARLEY_BODY_LIMIT_BYTES: '2048' })
  const account = await createTestAccount(app)
  const users = `/v1/accounts/${account.accountId}/users`

  t.test('success answers use the envelope', async (t) => {
    const response = await app.inject({ url: `/v1/accounts/${account.accountId}`, headers: account.headers })
    t.equal(response.statusCode, 200)
    t.match(response.json(), {
      success: true,
      data: { id: account.accountId, created: { at: String, by: { id: 'system' } } }
    })
    t.ok(response.headers['x-request-id'], 'every answer carries its request id')
  })

  t.test('unknown routes are 404 in the envelope', async (t) => {
    const response = await app.inject({ url: '/v1/nothing-here' })
    t.equal(response.statusCode, 404)
    t.same(response.json(), {
      success: false,
      error: { code: 'REQ-005', message: 'Route GET /v1/nothing-here not found' }
    })
  })

  t.test('validation errors are 400 and name the field', async (t) => {
    const badEmail = await app.inject({
      method: 'POST',
      url: users,
      headers: account.headers,
      payload: { email: 'not-an-email', role: 'Sender' }
    })
    t.equal(badEmail.statusCode, 400)
    t.equal(badEmail.json().error.code, 'REQ-001')
    t.match(badEmail.json().error.message, /^body\.email /)

    const missing = await app.inject({
      method: 'POST',
      url: users,
      headers: account.headers,
      payload: { email: 'a@example.com' }
    })
    t.equal(missing.statusCode, 400)
    t.equal(missing.json().error.message, 'body.role is required')
  })

  t.test('unknown request properties are ignored, not rejected (open schema)', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: users,
      headers: account.headers,
      payload: { email: 'open@example.com', role: 'Sender', favouriteColour: 'green' }
    })
    t.equal(response.statusCode, 201)
    const listed = await app.inject({ url: `${users}?limit=10&unknownFilter=1`, headers: account.headers })
    t.equal(listed.statusCode, 200)
  })

  t.test('malformed JSON is 400 in the envelope', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: users,
      headers: { ...account.headers, 'content-type': 'application/json' },
      payload: '{"email": '
    })
    t.equal(response.statusCode, 400)
    t.equal(response.json().error.code, 'REQ-002')
  })

  t.test('oversized bodies are 413 and unsupported types 415, both in the envelope', async (t) => {
    const big = await app.inject({
      method: 'POST',
      url: users,
      headers: account.headers,
      payload: { email: 'big@example.com', role: 'Sender', padding: 'x'.repeat(4096) }
    })
    t.equal(big.statusCode, 413)
    t.equal(big.json().error.code, 'REQ-003')
    const xml = await app.inject({
      method: 'POST',
      url: users,
      headers: { ...account.headers, 'content-type': 'application/xml' },
      payload: '<user/>'
    })
    t.equal(xml.statusCode, 415)
    t.equal(xml.json().error.code, 'REQ-004')
  })

  t.test('pagination: defaults, bounds and exact totals', async (t) => {
    for (let i = 0; i < 3; i++) {
      await app.inject({
        method: 'POST',
        url: users,
        headers: account.headers,
        payload: { email: `page${i}@example.com`, role: 'Read Only' }
      })
    }
    const all = await app.inject({ url: users, headers: account.headers })
    const total = all.json().pagination.totalCount
    t.same(all.json().pagination, { offset: 0, limit: 10, totalCount: total, hasNext: false })
    t.equal(all.json().data.length, total)

    const page = await app.inject({ url: `${users}?offset=1&limit=2`, headers: account.headers })
    t.same(page.json().pagination, { offset: 1, limit: 2, totalCount: total, hasNext: 1 + 2 < total })
    t.equal(page.json().data.length, 2)
    t.same(
      page.json().data.map((user: { id: string }) => user.id),
      all
        .json()
        .data.slice(1, 3)
        .map((user: { id: string }) => user.id)
    )

    const beyond = await app.inject({ url: `${users}?offset=1000`, headers: account.headers })
    t.same(beyond.json().data, [])
    t.equal(beyond.json().pagination.hasNext, false)
    t.equal(beyond.json().pagination.totalCount, total, "past the end, the count is still the whole list's")

    for (const query of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc']) {
      const response = await app.inject({ url: `${users}?${query}`, headers: account.headers })
      t.equal(response.statusCode, 400, query)
      t.match(response.json().error.message, /^querystring\.(limit|offset) /, query)
    }
  })
})

t.test('unexpected faults are 500 without internals', async (t) => {
  const config = loadConfig({
    DATABASE_URL: await createTestDatabase(t),
    LOG_LEVEL: 'silent',
    PARLEY_JWT_SECRET: 'test-signing-secret-that-is-long-enough-0123456789'
  })
  const app = await buildApp(config)
  t.teardown(() => app.close())
  app.get('/boom', async () => {
    throw new Error('relation "secret_table" does not exist at /srv/parley/src/x.ts:12')
  })
  const response = await app.inject({ url: '/boom' })
  t.equal(response.statusCode, 500)
  t.same(response.json(), { success: false, error: { code: 'SYS-001', message: 'Internal server error' } })
  t.notMatch(response.body, /secret_table|\/srv/)
})

t.test('readiness follows the database', async (t) => {
  const app = await buildTestApp(t)
  t.same((await app.inject({ url: '/health' })).json(), { success: true, data: { status: 'ok' } })
  t.same((await app.inject({ url: '/ready' })).json(), { success: true, data: { status: 'ready' } })

  // Take the database away (refuse and cut its connections), as a restart would, then give it back.
  const { name } = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(app.db)).rows[0]!
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`)
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name]
  )

  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'alive without its database')
  const notReady = await app.inject({ url: '/ready' })
  t.equal(notReady.statusCode, 503)
  t.equal(notReady.json().error.code, 'SYS-002')

  await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`)
  // The pool may still hold a client whose connection was cut; it is dropped on first use, so
  // readiness comes back within a few checks rather than on the very first one.
  let status = 0
  for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
    status = (await app.inject({ url: '/ready' })).statusCode
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.equal(status, 200, 'ready again once the database is back')
})

t.test("an empty body sent as JSON is no body, as Sakari's curl samples send it on DELETE", async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const credential = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${account.accountId}/credentials`,
    headers: account.headers,
    payload: {}
  })
  const revoke = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${account.accountId}/credentials/${credential.json().data.id}/revoke`,
    headers: { ...account.headers, 'content-type': 'application/json' }
  })
  t.equal(revoke.statusCode, 200)
})
