import { PassThrough } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { tasks } from '../../src/jobs/tasks.ts'
import { loadConfig } from '../../src/config.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually } from '../helpers/messaging.ts'
import { quickWebhooks, startReceiver } from '../helpers/webhook-receiver.ts'

t.test('each attempt is logged with its subscription, event, status and latency, and no secret', async (t) => {
  const lines: string[] = []
  const logStream = new PassThrough()
  logStream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)))
  const config = loadConfig({
    ...quickWebhooks,
    DATABASE_URL: await createTestDatabase(t),
    LOG_LEVEL: 'info',
    PARLEY_JWT_SECRET: 'test-signing-secret-that-is-long-enough-0123456789'
  })
  const app = await buildApp(config, { logStream, tasks })
  t.teardown(() => app.close())
  await app.ready()
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const receiver = await startReceiver(t, (_event, attempt) => (attempt === 1 ? 500 : 204))
  const url = `${receiver.url}?token=receiver-credential-in-the-query`
  const webhook = await created(api('POST', '/webhooks', { url, eventTypes: ['contact-created'] }))
  receiver.secrets.push(webhook.secret)
  const rotated = await created(api('POST', `/webhooks/${webhook.id}/secret`))
  await created(api('POST', '/contacts', { mobile: { number: '+12025556301', country: 'US' } }))

  const attempts = await eventually(
    async () =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.msg === 'webhook attempt'),
    (found) => found.length >= 2
  )
  const eventId = receiver.delivered[0]?.id
  t.match(attempts, [
    { subscription: webhook.id, eventId, eventType: 'contact-created', attempt: 1, status: 500, latencyMs: Number },
    { subscription: webhook.id, eventId, attempt: 2, status: 204, state: 'delivered', latencyMs: Number }
  ])
  const text = lines.join('\n')
  for (const secret of [webhook.secret, rotated.secret])
    t.notOk(text.includes(secret.slice('whsec_'.length, 20)), 'no signing secret in the logs')
  t.notOk(text.includes('receiver-credential-in-the-query'), "no receiver URL (it may carry the receiver's own token)")
  t.notOk(text.includes(String(receiver.delivered[0]!.headers['webhook-signature'])), 'no signature')
})
