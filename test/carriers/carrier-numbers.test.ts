import t, { type Test as Tap } from 'tap'
import twilio from 'twilio'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { newId } from '../../src/shared/ids.ts'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, type TestAccount } from '../helpers/fixtures.ts'
import { messageReaching } from '../helpers/messaging.ts'

// Several accounts on one installation share its carriers: the carrier's `accounts` setting says
// which account may use which numbers, so no account claims another's number, reads its inbound
// messages or sends as it. Callbacks are signed by the official twilio library.
const accountSid = 'AC0123456789abcdef0123456789abcdef'
const authToken = 'twilio-auth-token-for-tests'
const publicUrl = 'https://parley.example.com'
const twilioAt = { type: 'twilio', accountSid, authToken, baseUrl: 'http://127.0.0.1:9' }

const idA = newId()
const idB = newId()
const numberA = '+12025557011'
const numberB = '+12025557021'
// Account B added this sender while the range was still B's; the operator has since given it to A.
const reassigned = '+12025557015'

function carriersEnv(hosted: Record<string, string[]>): Record<string, string> {
  return {
    PARLEY_PUBLIC_URL: publicUrl,
    PARLEY_SANDBOX_DELIVERY_DELAY_MS: '50',
    PARLEY_CARRIERS: JSON.stringify({
      'twilio-hosted': { ...twilioAt, accounts: hosted },
      'twilio-plain': twilioAt
    })
  }
}

t.test('carrier numbers belong to the accounts the installation assigns them to', async (t) => {
  const databaseUrl = await createTestDatabase(t)
  // Before the change: B may use the +120255570 range. After: A has +1202555701*, B +1202555702*.
  // It runs no workers, so every job is run by the instance with the current setting.
  const before = await buildTestApp(t, {
    DATABASE_URL: databaseUrl,
    PARLEY_WORKERS: 'false',
    ...carriersEnv({ [idB]: ['+120255570*'] })
  })
  const app = await buildTestApp(t, {
    DATABASE_URL: databaseUrl,
    ...carriersEnv({ [idA]: ['+1202555701*'], [idB]: ['+1202555702*', '+12025557999'] })
  })
  const a = await createTestAccount(app, 'A', idA)
  const b = await createTestAccount(app, 'B', idB)
  const c = await createTestAccount(app)
  const apiA = caller(app, a)
  const apiB = caller(app, b)
  const staleId = (
    await created(
      caller(before, b)('POST', '/senders', { number: reassigned, carrier: 'twilio-hosted', status: 'active' })
    )
  ).id as string

  const sendersWith = async (number: string) =>
    (await app.db.selectFrom('senders').select('account_id').where('number', '=', number).execute()).map(
      (row) => row.account_id
    )
  const refusedAs006 = (t: Tap, answer: Awaited<ReturnType<typeof apiA>>, what: string) => {
    t.equal(answer.status, 403, what)
    t.equal(answer.body.success, false)
    t.equal(answer.body.error.code, 'SNDR-006')
    t.match(answer.body.error.message, /does not serve .* for this account/)
  }

  t.test("an account cannot add a sender for another account's number, nor move one onto it", async (t) => {
    refusedAs006(t, await apiB('POST', '/senders', { number: numberA, carrier: 'twilio-hosted' }), 'B creating A’s')
    t.same(await sendersWith(numberA), [], 'nothing stored')
    t.match(await created(apiA('POST', '/senders', { number: numberA, carrier: 'twilio-hosted', status: 'active' })), {
      number: numberA,
      carrier: 'twilio-hosted',
      status: 'active'
    })
    refusedAs006(
      t,
      await apiB('POST', '/senders', { number: numberA, carrier: 'twilio-hosted' }),
      'the same answer once A has it: B learns nothing of it'
    )
    t.match(await created(apiB('POST', '/senders', { number: numberB, carrier: 'twilio-hosted', status: 'active' })), {
      carrier: 'twilio-hosted'
    })
    refusedAs006(
      t,
      await apiA('POST', '/senders', { number: '+12025557999', carrier: 'twilio-hosted' }),
      'an exact number'
    )
    refusedAs006(t, await caller(app, c)('POST', '/senders', { number: '+12025557031', carrier: 'twilio-hosted' }), 'C')

    // The sandbox stays every account's: a sandbox sender reaches no carrier.
    const sandboxed = await created(apiB('POST', '/senders', { number: '+12025557012' }))
    t.equal(sandboxed.carrier, 'sandbox')
    refusedAs006(
      t,
      await apiB('PUT', `/senders/${sandboxed.id}`, { carrier: 'twilio-hosted' }),
      'moving it onto the carrier'
    )
    t.equal((await created(apiB('GET', `/senders/${sandboxed.id}`))).carrier, 'sandbox', 'unchanged')
  })

  t.test('a sender whose number the installation gave to another account cannot be activated again', async (t) => {
    await created(caller(before, b)('PUT', `/senders/${staleId}/status`, { status: 'pending' }))
    refusedAs006(t, await apiB('PUT', `/senders/${staleId}/status`, { status: 'active' }), 'activating')
    t.equal((await created(apiB('GET', `/senders/${staleId}`))).status, 'pending', 'unchanged')
    await created(caller(before, b)('PUT', `/senders/${staleId}/status`, { status: 'active' }))
  })

  const inbound = (to: string, body: string) => {
    const url = `${publicUrl}/carriers/twilio-hosted/inbound`
    const sid = `SM${newId().padEnd(32, '0')}`
    const params = { MessageSid: sid, SmsSid: sid, AccountSid: accountSid, From: '+12025550190', To: to, Body: body }
    return app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, params)
      },
      payload: new URLSearchParams(params).toString()
    })
  }
  const texts = async (account: TestAccount) =>
    (await created(caller(app, account)('GET', '/messages?limit=100')))
      .filter((message: { outgoing: boolean }) => !message.outgoing)
      .map((message: { message: string }) => message.message)

  t.test("an inbound message to A's number reaches A only; one to B's old claim reaches no one", async (t) => {
    t.equal((await inbound(numberA, 'For A')).statusCode, 200)
    t.equal((await inbound(reassigned, 'For A too')).statusCode, 200, 'acknowledged, so the carrier does not retry')
    t.equal((await inbound(numberB, 'For B')).statusCode, 200)
    t.same(await texts(a), ['For A'])
    t.same(await texts(b), ['For B'], "B's own number still reaches B; the reassigned one does not")
    const stored = await app.db.selectFrom('messages').select('body').where('body', '=', 'For A too').execute()
    t.same(stored, [], 'nothing stored for the reassigned number')
  })

  t.test('B cannot send as the reassigned number: the message fails and reaches no carrier', async (t) => {
    // B's first sender, it sends for B's default group.
    const { messages } = await created(
      apiB('POST', '/messages', { contacts: [{ mobile: { number: '+12025550191' } }], template: 'Pretending to be A' })
    )
    t.equal(messages[0].phoneNumber, reassigned)
    const message = await messageReaching(app, b, messages[0].id, ['failed', 'sent'])
    t.match(message, { status: 'failed', error: { code: 'MSG-033' } })
    t.match(message.error.description, /does not serve \+12025557015 for this account/)
  })

  t.test("a carrier with no accounts setting is the installation's first account's", async (t) => {
    t.match(await created(apiA('POST', '/senders', { number: '+12025557041', carrier: 'twilio-plain' })), {
      carrier: 'twilio-plain'
    })
    refusedAs006(t, await apiB('POST', '/senders', { number: '+12025557042', carrier: 'twilio-plain' }), 'B')
    refusedAs006(t, await caller(app, c)('POST', '/senders', { number: '+12025557043', carrier: 'twilio-plain' }), 'C')
  })

  t.test('the sandbox carrier still takes injected inbound messages, as documented', async (t) => {
    const sandboxed = await created(apiB('POST', '/senders', { number: '+12025557016', status: 'active' }))
    const received = await created(
      apiB('POST', '/sandbox/inbound', { from: '+12025550192', to: sandboxed.number, message: 'Sandbox hello' })
    )
    t.match(received.message, { message: 'Sandbox hello', outgoing: false })
  })
})

t.test('the accounts setting is checked at start, naming the carrier and the setting', async (t) => {
  const error = (() => {
    try {
      loadConfig({
        PARLEY_PUBLIC_URL: publicUrl,
        PARLEY_CARRIERS: JSON.stringify({ hosted: { ...twilioAt, accounts: { [idA]: ['+1 202 *x'] } } })
      })
    } catch (error) {
      return error
    }
  })()
  t.ok(error instanceof ConfigError)
  t.match((error as ConfigError).message, /carrier "hosted": accounts/)
  t.notMatch((error as ConfigError).message, /twilio-auth-token-for-tests/, 'no secret echoed')
})
