import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { createDemoAccountIfEmpty, ensureBootstrapAccount } from '../../src/resources/accounts/bootstrap.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { requestToken } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'
import { eventually, quickSandbox } from '../helpers/messaging.ts'

const run = promisify(execFile)
const sakariExample = {
  accountId: 'acme',
  clientId: '12345678-1234-1234-1234-123456789012',
  clientSecret: '87654321-4321-4321-4321-098765432121',
  adminEmail: 'owner@acme.example'
}

t.test('bootstrap creates the account, its first admin and the credential once', async (t) => {
  const app = await buildTestApp(t)
  t.same(await ensureBootstrapAccount(app.db, sakariExample, true), { createdAccount: true, createdCredential: true })
  t.same(
    await ensureBootstrapAccount(app.db, sakariExample, true),
    { createdAccount: false, createdCredential: false },
    'a restart changes nothing'
  )
  await Promise.all([
    ensureBootstrapAccount(app.db, sakariExample, true),
    ensureBootstrapAccount(app.db, sakariExample, true)
  ])

  t.equal((await app.db.selectFrom('accounts').selectAll().execute()).length, 1)
  t.equal((await app.db.selectFrom('api_credentials').selectAll().execute()).length, 1)
  const admins = await app.db.selectFrom('users').selectAll().execute()
  t.same(
    admins.map((user) => [user.email, user.role]),
    [['owner@acme.example', 'Administrator']]
  )

  const token = await requestToken(app, sakariExample.clientId, sakariExample.clientSecret)
  const account = await caller(app, { accountId: 'acme', headers: { authorization: `Bearer ${token}` } })('GET', '')
  t.match(account.body, { success: true, data: { id: 'acme' } })

  await t.rejects(
    ensureBootstrapAccount(app.db, { ...sakariExample, accountId: 'other' }, true),
    /already belongs to another account/
  )
})

t.test('the demo account is made only on an empty database', async (t) => {
  const app = await buildTestApp(t)
  const demo = await createDemoAccountIfEmpty(app.db, true)
  t.ok(demo)
  const token = await requestToken(app, demo!.clientId, demo!.clientSecret)
  const senders = await caller(app, { accountId: 'demo', headers: { authorization: `Bearer ${token}` } })(
    'GET',
    '/senders'
  )
  t.match(senders.body.data, [{ number: '+14155550100', status: 'active', carrier: 'sandbox' }])
  t.equal(await createDemoAccountIfEmpty(app.db, true), undefined, 'never twice')
})

/** Sakari's documented send example, verbatim: the first call a Sakari user makes after the token. */
async function sendSakariExample(app: Awaited<ReturnType<typeof buildTestApp>>, accountId: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' }
  return await caller(app, { accountId, headers })(
    'POST',
    '/messages',
    `{
  "contacts": [{
    "mobile": {
      "number": "+1234567890",
      "country": "US"
    }
  }],
  "template": "Congratulations! You just sent your first message"
} `
  )
}

t.test("a fresh start sends at once: Sakari's send example is the first call after the token", async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  await ensureBootstrapAccount(app.db, { ...sakariExample, senderNumber: '+12125550142' }, true)
  const token = await requestToken(app, sakariExample.clientId, sakariExample.clientSecret)

  const sent = await sendSakariExample(app, 'acme', token)
  t.equal(sent.status, 200)
  t.match(sent.body, { success: true, data: { requested: 1, valid: 1, invalid: [] } })
  const [message] = sent.body.data.messages
  t.equal(message.phoneNumber, '+12125550142', 'from PARLEY_BOOTSTRAP_SENDER_NUMBER')

  const acme = caller(app, { accountId: 'acme', headers: { authorization: `Bearer ${token}` } })
  const delivered = await eventually(
    async () => (await acme('GET', `/messages/${message.id}`)).body.data,
    (read) => read.status === 'delivered'
  )
  t.equal(delivered.status, 'delivered')
  const groups = await acme('GET', '/groups')
  t.match(groups.body.data, [{ name: 'My First Group', senders: [{ number: '+12125550142' }] }])

  await t.rejects(
    ensureBootstrapAccount(
      app.db,
      { ...sakariExample, accountId: 'other', clientId: 'another-client-id', senderNumber: '+12125550142' },
      true
    ),
    /PARLEY_BOOTSTRAP_SENDER_NUMBER \+12125550142 is already a sender of another account/
  )
  t.notOk(await app.db.selectFrom('accounts').select('id').where('id', '=', 'other').executeTakeFirst())
})

t.test('PARLEY_DEMO_SENDER=false: a new account has no sender, and the send example finds none', async (t) => {
  const app = await buildTestApp(t)
  await ensureBootstrapAccount(app.db, sakariExample, false)
  const token = await requestToken(app, sakariExample.clientId, sakariExample.clientSecret)
  const sent = await sendSakariExample(app, 'acme', token)
  t.match(sent.body, { success: true, data: { valid: 0, invalid: [{ error: { code: 'MSG-001' } }] } })
  t.equal((await app.db.selectFrom('senders').selectAll().execute()).length, 0)
})

t.test('the admin CLI manages accounts against the configured database', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  const env = { ...process.env, DATABASE_URL: databaseUrl }
  const admin = async (...args: string[]) =>
    JSON.parse((await run(process.execPath, ['scripts/admin.ts', ...args], { env })).stdout)

  const created = await admin('accounts', 'create', '--name', 'Acme Support', '--admin-email', 'boss@acme.example')
  t.equal(created.account.name, 'Acme Support')
  t.equal(created.admin.role, 'Administrator')
  const accountId = created.account.id
  // Each account gets its own fictional number: sender numbers are unique in the installation.
  t.same(created.sender, { number: '+14155550100', status: 'active', group: 'My First Group' })
  const second = await admin('accounts', 'create', '--name', 'Second')
  t.equal(second.sender.number, '+14155550101')
  const quiet = JSON.parse(
    (
      await run(process.execPath, ['scripts/admin.ts', 'accounts', 'create', '--name', 'Production'], {
        env: { ...env, PARLEY_DEMO_SENDER: 'false' }
      })
    ).stdout
  )
  t.equal(quiet.sender, undefined, 'PARLEY_DEMO_SENDER=false')

  const user = await admin(
    'users',
    'create',
    '--account',
    accountId,
    '--email',
    'agent@acme.example',
    '--role',
    'Sender'
  )
  t.equal(user.role, 'Sender')
  const credential = await admin(
    'credentials',
    'create',
    '--account',
    accountId,
    '--user',
    user.id,
    '--name',
    'agent key'
  )
  t.equal(credential.userId, user.id)
  t.type(credential.clientSecret, 'string')

  const app = await buildTestApp(t, { DATABASE_URL: databaseUrl })
  const token = await requestToken(app, credential.clientId, credential.clientSecret)
  t.equal((await caller(app, { accountId, headers: { authorization: `Bearer ${token}` } })('GET', '')).status, 200)

  const accountWide = await admin('credentials', 'create', '--account', accountId)
  const accountToken = await requestToken(app, accountWide.clientId, accountWide.clientSecret)
  t.match((await sendSakariExample(app, accountId, accountToken)).body, {
    success: true,
    data: { valid: 1, messages: [{ phoneNumber: '+14155550100' }] }
  })

  const revoked = await admin('credentials', 'revoke', '--account', accountId, '--credential', credential.id)
  t.type(revoked.revokedAt, 'string')

  const bad = await run(
    process.execPath,
    ['scripts/admin.ts', 'users', 'create', '--account', accountId, '--email', 'x@acme.example', '--role', 'Boss'],
    { env }
  ).catch((error: { code: number; stderr: string }) => error)
  t.equal((bad as { code: number }).code, 1)
  t.match((bad as { stderr: string }).stderr, /--role must be one of/)
})
