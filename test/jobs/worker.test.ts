import t from 'tap'
import { loadConfig } from '../../src/config.ts'
import { startWorker } from '../../src/worker.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { messageReaching, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

// Resources of a listening server, as process.getActiveResourcesInfo() names them.
const listening = () => process.getActiveResourcesInfo().filter((type) => /ServerWrap$/.test(type))

t.test('npm run worker delivers what a web-only instance queued, without an HTTP app or a port', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const app = await buildTestApp(t, { DATABASE_URL: databaseUrl, PARLEY_WORKERS: 'false', ...quickSandbox })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  await sandboxSender(app, account)

  const sent = await created(
    api('POST', '/messages', { contacts: [{ mobile: { number: '+12025550100' } }], template: 'Hi' })
  )
  const messageId = sent.messages[0].id
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal((await created(api('GET', `/messages/${messageId}`))).status, 'queued', 'no worker yet: nothing is sent')

  const worker = await startWorker(
    loadConfig({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: '4',
      ...quickSandbox
    })
  )
  t.teardown(() => worker.close())
  t.same(listening(), [], 'the worker listens on no port')

  const message = await messageReaching(app, account, messageId, ['delivered'])
  t.equal(message.status, 'delivered', 'the worker dispatched the message and applied its status reports')
  t.same(listening(), [])
})
