import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('GET /carriers: Administrators see names, types and health, never settings', async (t) => {
  const authToken = 'twilio-token-never-shown'
  const app = await buildTestApp(t, {
    PARLEY_PUBLIC_URL: 'https://parley.example.com',
    PARLEY_CARRIERS: JSON.stringify({
      'twilio-us': { type: 'twilio', accountSid: 'AC0123456789abcdef0123456789abcdef', authToken }
    })
  })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const answer = await api('GET', '/carriers')
  t.equal(answer.status, 200)
  t.same(answer.body, {
    success: true,
    data: [
      { name: 'sandbox', type: 'sandbox', health: { state: 'ready', since: null, lastError: null } },
      { name: 'twilio-us', type: 'twilio', health: { state: 'ready', since: null, lastError: null } }
    ]
  })
  t.notMatch(JSON.stringify(answer.body), /AC0123|twilio-token/)

  for (const role of ['Campaign Manager', 'Sender', 'Read Only'] as const) {
    const user = await createTestUser(app, account.accountId, role)
    const refused = await api('GET', '/carriers', undefined, user.headers)
    t.equal(refused.status, 403, role)
    t.equal(refused.body.error.code, 'ACCT-016', role)
  }
})
