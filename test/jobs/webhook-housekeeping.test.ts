import t from 'tap'
import { webhookHousekeepingTask } from '../../src/jobs/webhook-housekeeping.ts'
import { caller, created } from '../helpers/api.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually } from '../helpers/messaging.ts'

t.test('the daily webhook housekeeping forgets deliveries finished over 30 days ago, and nothing else', async (t) => {
  const app = await buildTestApp(t, { PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const webhook = await created(
    api('POST', '/webhooks', { url: 'http://127.0.0.1:9/hooks', eventTypes: ['contact-created'] })
  )
  // Paused, so the delivery worker leaves the rows as they are laid out below.
  await created(api('POST', `/webhooks/${webhook.id}/pause`))
  for (const number of ['+12025556401', '+12025556402', '+12025556403', '+12025556404'])
    await created(api('POST', '/contacts', { mobile: { number, country: 'US' } }))
  const rows = await app.db.selectFrom('webhook_deliveries').select('id').orderBy('id').execute()
  t.equal(rows.length, 4)
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000)
  const layout = [
    ['delivered', daysAgo(31)],
    ['failed', daysAgo(31)],
    ['delivered', daysAgo(29)],
    ['pending', daysAgo(40)]
  ] as const
  for (const [index, [state, at]] of layout.entries())
    await app.db
      .updateTable('webhook_deliveries')
      .set({ state, last_attempt_at: at })
      .where('id', '=', rows[index]!.id)
      .execute()

  await app.db.transaction().execute((tx) => app.deps.queue.enqueue(tx, webhookHousekeepingTask, {}))
  const left = await eventually(
    async () => await app.db.selectFrom('webhook_deliveries').select(['id', 'state']).orderBy('id').execute(),
    (remaining) => remaining.length < 4
  )
  t.same(
    left.map((row) => row.id),
    [rows[2]!.id, rows[3]!.id],
    'the recent delivery and the pending one stay'
  )
})
