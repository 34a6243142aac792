import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { tasks } from '../../src/jobs/tasks.ts'
import { loadConfig } from '../../src/config.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('the wire contract', async (t) => {
  const app = await buildTestApp(t, { PARLEY_BODY_LIMIT_BYTES: '2048' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const users = '/users'

  t.test('success answers use the envelope', async (t) => {
    const response = await api('GET', '')
    t.equal(response.status, 200)
    t.match(response.body, {
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
    const badEmail = await api('POST', users, { email: 'not-an-email', role: 'Sender' })
    t.equal(badEmail.status, 400)
    t.equal(badEmail.body.error.code, 'REQ-001')
    t.match(badEmail.body.error.message, /^body\.email /)

    const missing = await api('POST', users, { email: 'a@example.com' })
    t.equal(missing.status, 400)
    t.equal(missing.body.error.message, 'body.role is required')
  })

  t.test('unknown request properties are ignored, not rejected (open schema)', async (t) => {
    const response = await api('POST', users, { email: 'open@example.com', role: 'Sender', favouriteColour: 'green' })
    t.equal(response.status, 201)
    const listed = await api('GET', `${users}?limit=10&unknownFilter=1`)
    t.equal(listed.status, 200)
  })

  t.test('malformed JSON is 400 in the envelope', async (t) => {
    const response = await api('POST', users, '{"email": ', { ...account.headers, 'content-type': 'application/json' })
    t.equal(response.status, 400)
    t.equal(response.body.error.code, 'REQ-002')
  })

  t.test('oversized bodies are 413 and unsupported types 415, both in the envelope', async (t) => {
    const big = await api('POST', users, { email: 'big@example.com', role: 'Sender', padding: 'x'.repeat(4096) })
    t.equal(big.status, 413)
    t.equal(big.body.error.code, 'REQ-003')
    const xml = await api('POST', users, '<user/>', { ...account.headers, 'content-type': 'application/xml' })
    t.equal(xml.status, 415)
    t.equal(xml.body.error.code, 'REQ-004')
  })

  t.test('pagination: defaults, bounds and exact totals', async (t) => {
    for (let i = 0; i < 3; i++) {
      await api('POST', users, { email: `page${i}@example.com`, role: 'Read Only' })
    }
    const all = await api('GET', users)
    const total = all.body.pagination.totalCount
    t.same(all.body.pagination, { offset: 0, limit: 10, totalCount: total, hasNext: false })
    t.equal(all.body.data.length, total)

    const page = await api('GET', `${users}?offset=1&limit=2`)
    t.same(page.body.pagination, { offset: 1, limit: 2, totalCount: total, hasNext: 1 + 2 < total })
    t.equal(page.body.data.length, 2)
    t.same(
      page.body.data.map((user: { id: string }) => user.id),
      all.body.data.slice(1, 3).map((user: { id: string }) => user.id)
    )

    const beyond = await api('GET', `${users}?offset=1000`)
    t.same(beyond.body.data, [])
    t.equal(beyond.body.pagination.hasNext, false)
    t.equal(beyond.body.pagination.totalCount, total, "past the end, the count is still the whole list's")

    for (const query of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc']) {
      const response = await api('GET', `${users}?${query}`)
      t.equal(response.status, 400, query)
      t.match(response.body.error.message, /^querystring\.(limit|offset) /, query)
    }
  })
})

t.test('unexpected faults are 500 without internals', async (t) => {
  const config = loadConfig({
    DATABASE_URL: await createTestDatabase(t),
    LOG_LEVEL: 'silent',
    PARLEY_JWT_SECRET: 'test-signing-secret-that-is-long-enough-0123456789'
  })
  const app = await buildApp(config, { tasks })
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
  const api = caller(app, account)
  const credential = await api('POST', '/credentials', {})
  const revoke = await api('POST', `/credentials/${credential.body.data.id}/revoke`, undefined, {
    ...account.headers,
    'content-type': 'application/json'
  })
  t.equal(revoke.status, 200)
})
