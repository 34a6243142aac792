import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { createDemoAccountIfEmpty, ensureBootstrapAccount } from '../../src/resources/accounts/bootstrap.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { requestToken } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

const run = promisify(execFile)
const sakariExample = {
  accountId: 'acme',
  clientId: '12345678-1234-1234-1234-123456789012',
  clientSecret: '87654321-4321-4321-4321-098765432121',
  adminEmail: 'owner@acme.example'
}

t.test('bootstrap creates the account, its first admin and the credential once', async (t) => {
  const app = await buildTestApp(t)
  t.same(await ensureBootstrapAccount(app.db, sakariExample), { createdAccount: true, createdCredential: true })
  t.same(
    await ensureBootstrapAccount(app.db, sakariExample),
    { createdAccount: false, createdCredential: false },
    'a restart changes nothing'
  )
  await Promise.all([ensureBootstrapAccount(app.db, sakariExample), ensureBootstrapAccount(app.db, sakariExample)])

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
    ensureBootstrapAccount(app.db, { ...sakariExample, accountId: 'other' }),
    /already belongs to another account/
  )
})

t.test('the demo account is made only on an empty database', async (t) => {
  const app = await buildTestApp(t)
  const demo = await createDemoAccountIfEmpty(app.db)
  t.ok(demo)
  t.type(await requestToken(app, demo!.clientId, demo!.clientSecret), 'string')
  t.equal(await createDemoAccountIfEmpty(app.db), undefined, 'never twice')
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
