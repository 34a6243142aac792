import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { caller, created } from '../helpers/api.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually } from '../helpers/messaging.ts'
import { quickWebhooks } from '../helpers/webhook-receiver.ts'

t.test("a 429's Retry-After pushes the retry later than the schedule would", async (t) => {
  const app = await buildTestApp(t, quickWebhooks)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  let requests = 0
  const receiver = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      requests++
      if (requests === 1) response.writeHead(429, { 'retry-after': '2' }).end()
      else response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => receiver.close(resolve)))
  const { port } = receiver.address() as AddressInfo
  const webhook = await created(
    api('POST', '/webhooks', { url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['contact-created'] })
  )
  await created(api('POST', '/contacts', { mobile: { number: '+12025556501', country: 'US' } }))

  const deliveries = () => created(api('GET', `/webhooks/${webhook.id}/deliveries`))
  const [waiting] = await eventually(deliveries, (rows) => rows[0]?.attempts === 1)
  t.match(waiting, { state: 'pending', lastStatus: 429 })
  const scheduledMs = Date.parse(waiting.nextAttemptAt) - Date.parse(waiting.lastAttemptAt)
  t.ok(scheduledMs >= 1500, `retried after the receiver's 2 s, not the schedule's 0.1 s (${scheduledMs} ms)`)
  const [delivered] = await eventually(deliveries, (rows) => rows[0]?.state === 'delivered')
  t.match(delivered, { state: 'delivered', attempts: 2, lastStatus: 204 })
})
