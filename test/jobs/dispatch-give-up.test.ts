import { sql } from 'kysely'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { messageReaching, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

// A message whose dispatch gives up ends failed with an error code; it never stays queued.
t.test('a sender whose carrier is no longer configured: its messages fail with MSG-033', async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const sender = await sandboxSender(app, account)
  // The API refuses unknown carriers (SNDR-005); a carrier removed from the configuration after the
  // sender was stored is the remaining way to meet one.
  await sql`UPDATE senders SET carrier = 'retired-carrier' WHERE id = ${sender.senderId}`.execute(app.db)

  const sent = await created(
    api('POST', '/messages', { contacts: [{ mobile: { number: '+12025550150' } }], template: 'Hello' })
  )
  const message = await messageReaching(app, account, sent.messages[0].id, ['failed', 'sent', 'delivered'])
  t.equal(message.status, 'failed')
  t.match(message.error, { code: 'MSG-033', description: /retired-carrier/ })
})
