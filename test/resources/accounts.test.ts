import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller, created } from '../helpers/api.ts'

t.test("the account: fetch, and an Administrator's update of its name and help text", async (t) => {
  const app = await buildTestApp(t, { PARLEY_HELP_TEXT: 'Default help.' })
  const account = await createTestAccount(app, 'Acme')
  const api = caller(app, account)

  t.test('the help text is the instance default until the account sets its own', async (t) => {
    t.match(await created(api('GET', '')), { id: account.accountId, name: 'Acme', helpText: 'Default help.' })
    const admin = await createTestUser(app, account.accountId, 'Administrator')
    const changed = await created(
      api('PUT', '', { name: 'Acme Inc', helpText: 'Acme: reply STOP to stop.' }, admin.headers)
    )
    t.match(changed, { name: 'Acme Inc', helpText: 'Acme: reply STOP to stop.', updated: { by: { id: admin.userId } } })
    t.match(await created(api('GET', '')), { name: 'Acme Inc', helpText: 'Acme: reply STOP to stop.' })
    t.match(
      await created(api('PUT', '', { helpText: null })),
      { name: 'Acme Inc', helpText: 'Default help.' },
      'null goes back to the default'
    )
  })

  t.test('bad input is a 400 and changes nothing', async (t) => {
    const before = await created(api('GET', ''))
    for (const body of [
      {},
      { helpText: '' },
      { helpText: 'x'.repeat(1001) },
      { name: '' },
      { name: null },
      { colour: 'red' }
    ]) {
      const { status, body: answer } = await api('PUT', '', body)
      t.equal(status, 400, JSON.stringify(body).slice(0, 40))
      t.equal(answer.error.code, 'REQ-001')
    }
    t.same(await created(api('GET', '')), before)
  })

  t.test('a help text must fit one message: the reply is refused otherwise, so saving it is', async (t) => {
    const before = await created(api('GET', ''))
    const tooLong = await api('PUT', '', { helpText: '[]'.repeat(400) })
    t.match(
      tooLong,
      {
        status: 400,
        body: { error: { code: 'MSG-007', message: 'helpText: Message too long: 11 segments, at most 10' } }
      },
      '800 GSM-7 extension characters take 1,600 units'
    )
    t.same(await created(api('GET', '')), before)
    t.equal((await created(api('PUT', '', { helpText: '好'.repeat(670) }))).helpText.length, 670, 'ten UCS-2 parts fit')
    await created(api('PUT', '', { helpText: null }))
  })

  t.test('only Administrators change it, and only their own account', async (t) => {
    for (const role of ['Campaign Manager', 'Sender', 'Read Only'] as const) {
      const user = await createTestUser(app, account.accountId, role)
      t.match(
        await api('PUT', '', { name: 'Taken over' }, user.headers),
        { status: 403, body: { error: { code: 'ACCT-016' } } },
        role
      )
    }
    const other = await createTestAccount(app)
    const foreign = await api('PUT', '', { name: 'Taken over' }, other.headers)
    t.equal(foreign.status, 403)
    t.equal(foreign.body.error.code, 'ACCT-008')
    t.equal((await created(api('GET', ''))).name, 'Acme Inc')
  })
})
