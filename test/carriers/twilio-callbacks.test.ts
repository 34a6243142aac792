import t, { type Test as Tap } from 'tap'
import twilio from 'twilio'
import { sql } from 'kysely'
import { buildTestApp } from '../helpers/app.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, type TestAccount } from '../helpers/fixtures.ts'
import { messageReaching } from '../helpers/messaging.ts'
import { startPrism } from '../helpers/prism.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'

// A sender on a Twilio carrier whose endpoint is Prism serving Twilio's own API description, and
// callbacks signed by the official twilio library, never by Parley's code.
const CARRIER = 'twilio-us'
const accountSid = 'AC0123456789abcdef0123456789abcdef'
const authToken = 'twilio-auth-token-for-tests'
const publicUrl = 'https://parley.example.com'
const statusUrl = `${publicUrl}/carriers/${CARRIER}/status`
const inboundUrl = `${publicUrl}/carriers/${CARRIER}/inbound`

type Params = Record<string, string>

t.test('Twilio status callbacks and incoming messages', async (t) => {
  const prism = await startPrism(t)
  const env = {
    DATABASE_URL: await createTestDatabase(t),
    PARLEY_PUBLIC_URL: publicUrl,
    // Each test has its own account, and the installation lets every one use any number.
    PARLEY_CARRIERS: JSON.stringify({
      [CARRIER]: { type: 'twilio', accountSid, authToken, baseUrl: prism.url, accounts: { '*': ['*'] } }
    })
  }
  const app = await buildTestApp(t, env)

  const post = (path: string, params: Params, signature?: string, instance = app) =>
    instance.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === undefined ? {} : { 'x-twilio-signature': signature })
      },
      payload: new URLSearchParams(params).toString()
    })
  const signed = (url: string, params: Params, token = authToken, instance = app) =>
    post(new URL(url).pathname, params, twilio.getExpectedTwilioSignature(token, url, params), instance)

  const messageRows = async () =>
    Number(
      (
        await app.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n
    )

  async function twilioSender(account: TestAccount): Promise<string> {
    const number = uniqueNumber()
    await created(caller(app, account)('POST', '/senders', { number, status: 'active', carrier: CARRIER }))
    return number
  }

  /** A message sent through Prism: answers its id and the sid Twilio (Prism) gave it. */
  async function sent(t: Tap, account: TestAccount, to: string, text: string) {
    const { messages } = await created(
      caller(app, account)('POST', '/messages', { contacts: [{ mobile: { number: to } }], template: text })
    )
    const message = await messageReaching(app, account, messages[0].id, ['sent', 'failed'])
    t.equal(message.status, 'sent', `Prism took the send: ${prism.refusals()}`)
    const row = await app.db
      .selectFrom('messages')
      .select('carrier_message_id')
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow()
    return { id: message.id as string, sid: row.carrier_message_id!, conversationId: message.conversation.id as string }
  }

  const statusParams = (sid: string, from: string, to: string, status: string, extra: Params = {}): Params => ({
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: accountSid,
    From: from,
    To: to,
    MessageStatus: status,
    SmsStatus: status,
    ApiVersion: '2010-04-01',
    ...extra
  })

  t.test('a signed status callback moves the message; a wrong or missing signature changes nothing', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const number = await twilioSender(account)
    const message = await sent(t, account, '+12025550141', 'Your table is ready')
    t.match(message.sid, /^(SM|MM)[0-9a-fA-F]{32}$/)
    t.equal(prism.validations().refused, 0, 'every send passed Prism')

    const delivered = statusParams(message.sid, number, '+12025550141', 'delivered')
    const forged = await signed(statusUrl, delivered, 'another-auth-token')
    t.equal(forged.statusCode, 403)
    t.same(forged.json(), {
      success: false,
      error: { code: 'CARR-002', message: 'Missing or invalid carrier signature' }
    })
    t.equal((await post(`/carriers/${CARRIER}/status`, delivered)).statusCode, 403, 'no signature')
    const elsewhere = await post(
      `/carriers/${CARRIER}/status`,
      delivered,
      twilio.getExpectedTwilioSignature(authToken, inboundUrl, delivered)
    )
    t.equal(elsewhere.statusCode, 403, 'signed for another URL')
    t.equal((await api('GET', `/messages/${message.id}`)).body.data.status, 'sent', 'unchanged')

    t.ok(
      twilio.validateRequest(
        authToken,
        twilio.getExpectedTwilioSignature(authToken, statusUrl, delivered),
        statusUrl,
        delivered
      )
    )
    const answer = await signed(statusUrl, delivered)
    t.equal(answer.statusCode, 204)
    t.equal((await api('GET', `/messages/${message.id}`)).body.data.status, 'delivered')
  })

  t.test("undelivered carries Twilio's error as Sakari's code", async (t) => {
    const account = await createTestAccount(app)
    const number = await twilioSender(account)
    const message = await sent(t, account, '+12025550142', 'Reminder: 8 pm')
    const answer = await signed(
      statusUrl,
      statusParams(message.sid, number, '+12025550142', 'undelivered', { ErrorCode: '30003' })
    )
    t.equal(answer.statusCode, 204)
    t.match((await caller(app, account)('GET', `/messages/${message.id}`)).body.data, {
      status: 'undelivered',
      error: { code: 'MSG-019' }
    })
  })

  t.test("a report naming another account's sender does not touch this account's message", async (t) => {
    const mine = await createTestAccount(app)
    await twilioSender(mine)
    const message = await sent(t, mine, '+12025550143', 'See you soon')
    const other = await createTestAccount(app)
    const otherNumber = await twilioSender(other)
    const answer = await signed(statusUrl, statusParams(message.sid, otherNumber, '+12025550143', 'failed'))
    t.equal(answer.statusCode, 204)
    t.equal((await caller(app, mine)('GET', `/messages/${message.id}`)).body.data.status, 'sent')
  })

  t.test('a signed incoming message lands in the conversation and is answered with empty TwiML', async (t) => {
    const account = await createTestAccount(app)
    const number = await twilioSender(account)
    const message = await sent(t, account, '+12025550144', 'Table for two at 8?')
    const sid = `SM${'ab'.repeat(16)}`
    const reply: Params = {
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
      AccountSid: accountSid,
      From: '+12025550144',
      To: number,
      Body: 'Yes please',
      NumMedia: '1',
      MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media/ME0123`,
      MediaContentType0: 'image/jpeg',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01'
    }
    const before = await messageRows()
    t.equal((await post(`/carriers/${CARRIER}/inbound`, reply)).statusCode, 403, 'no signature')
    t.equal((await signed(inboundUrl, reply, 'another-auth-token')).statusCode, 403, 'wrong token')
    t.equal(await messageRows(), before, 'nothing recorded')

    const answer = await signed(inboundUrl, reply)
    t.equal(answer.statusCode, 200)
    t.match(answer.headers['content-type'], /^text\/xml/)
    t.equal(answer.body, '<?xml version="1.0" encoding="UTF-8"?><Response/>')
    const conversation = await created(caller(app, account)('GET', `/conversations/${message.conversationId}`))
    t.match(conversation.lastMessage, { message: 'Yes please' })
    const received = await caller(app, account)('GET', `/messages/${conversation.lastMessage.id}`)
    t.match(received.body.data, {
      status: 'received',
      outgoing: false,
      type: 'MMS',
      media: [{ url: reply.MediaUrl0, type: 'image/jpeg' }]
    })
  })

  t.test('an incoming message sent again, in turn or at once, is answered as the first and stored once', async (t) => {
    const account = await createTestAccount(app)
    const number = await twilioSender(account)
    // A second instance on the same database: copies there race the first instance's in PostgreSQL.
    const other = await buildTestApp(t, { ...env, PARLEY_WORKERS: 'false' })
    const incoming = (sid: string, from: string, body: string): Params => ({
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
      AccountSid: accountSid,
      From: from,
      To: number,
      Body: body,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01'
    })
    const inTurn = incoming(`SM${'cd'.repeat(16)}`, '+12025550147', 'Is the patio open?')
    const atOnce = incoming(`SM${'ef'.repeat(16)}`, '+12025550148', 'Table for six?')
    const answers = [await signed(inboundUrl, inTurn), await signed(inboundUrl, inTurn)]
    answers.push(
      ...(await Promise.all(
        Array.from({ length: 6 }, (_, index) => signed(inboundUrl, atOnce, authToken, index % 2 === 0 ? app : other))
      ))
    )
    for (const answer of answers) {
      t.equal(answer.statusCode, 200, answer.body)
      t.match(answer.headers['content-type'], /^text\/xml/)
      t.equal(answer.body, '<?xml version="1.0" encoding="UTF-8"?><Response/>')
    }

    for (const { MessageSid: sid, Body: body } of [inTurn, atOnce]) {
      const stored = await app.db
        .selectFrom('messages')
        .select(['id', 'body', 'conversation_id'])
        .where('carrier', '=', CARRIER)
        .where('carrier_message_id', '=', sid!)
        .execute()
      t.equal(stored.length, 1, `${sid} stored once`)
      t.equal(stored[0]!.body, body)
      const conversation = await created(caller(app, account)('GET', `/conversations/${stored[0]!.conversation_id}`))
      t.match(conversation.lastMessage, { id: stored[0]!.id, message: body })
    }
    const events = await app.db
      .selectFrom('events')
      .select(['event_type', sql<number>`count(*)::int`.as('count')])
      .where('account_id', '=', account.accountId)
      .where('event_type', 'in', ['contact-created', 'conversation-started', 'message-received'])
      .groupBy('event_type')
      .orderBy('event_type')
      .execute()
    t.same(
      events,
      [
        { event_type: 'contact-created', count: 2 },
        { event_type: 'conversation-started', count: 2 },
        { event_type: 'message-received', count: 2 }
      ],
      'one contact, conversation and message event for each of the two messages'
    )
  })

  t.test('only carriers that sign their callbacks have these routes', async (t) => {
    for (const name of ['nowhere', 'sandbox']) {
      const answer = await post(`/carriers/${name}/inbound`, { From: '+12025550145', To: '+12025550146', Body: 'hi' })
      t.equal(answer.statusCode, 404, name)
      t.equal(answer.json().error.code, 'CARR-001', name)
    }
  })
})
