import { PassThrough } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { tasks } from '../../src/jobs/tasks.ts'
import { loadConfig } from '../../src/config.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('logs carry the request id and never a secret or a token', async (t) => {
  const lines: string[] = []
  const logStream = new PassThrough()
  logStream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)))
  const config = loadConfig({
    DATABASE_URL: await createTestDatabase(t),
    LOG_LEVEL: 'info',
    PARLEY_WORKERS: 'false',
    PARLEY_JWT_SECRET: 'test-signing-secret-that-is-long-enough-0123456789'
  })
  const app = await buildApp(config, { logStream, tasks })
  t.teardown(() => app.close())
  await app.ready()
  const account = await createTestAccount(app)
  const api = caller(app, account)

  const response = await api('GET', '', undefined, { ...account.headers, 'x-request-id': 'trace-me-42' })
  t.equal(response.headers['x-request-id'], 'trace-me-42', "a caller's request id is kept and echoed")
  await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    payload: { grant_type: 'client_credentials', client_id: account.clientId, client_secret: 'a-wrong-secret-value' }
  })

  const entries = lines.map((line) => JSON.parse(line) as { reqId?: string; msg?: string })
  t.ok(
    entries.some((entry) => entry.reqId === 'trace-me-42' && entry.msg === 'request completed'),
    'request logs carry the request id'
  )
  const text = lines.join('\n')
  t.notOk(text.includes(account.token), 'no access token in the logs')
  t.notOk(text.includes(account.clientSecret), 'no client secret in the logs')
  t.notOk(text.includes('a-wrong-secret-value'), 'no attempted secret in the logs')
})
