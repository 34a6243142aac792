import t from 'tap'
import twilio from 'twilio'
import { buildTestApp, twilioMainEnv } from '../helpers/app.ts'
import { createTestAccount, type TestAccount } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'

// Concurrent inbound messages are written in batches (src/resources/inbound/inbound-batches.ts);
// every caller must still get its own stored message, as if each had been written alone.
t.test('concurrent inbound messages', async (t) => {
  const app = await buildTestApp(t, { ...quickSandbox, ...twilioMainEnv })

  const events = async (account: TestAccount) =>
    await app.db
      .selectFrom('events')
      .select(['event_type', 'payload'])
      .where('account_id', '=', account.accountId)
      .orderBy('seq')
      .execute()

  t.test('from many numbers at once, and several from one number, all land in order', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const sender = await sandboxSender(app, account)
    const known = '+12025550801'
    await created(api('POST', '/sandbox/inbound', { from: known, to: sender.number, message: 'First' }))
    const before = (await events(account)).length

    const many = Array.from({ length: 24 }, (_, index) => ({
      from: `+1202555${String(1000 + index)}`,
      message: `Hello ${index}`
    }))
    const repeated = Array.from({ length: 5 }, (_, index) => ({ from: known, message: `Again ${index}` }))
    const answers = await Promise.all(
      [...many, ...repeated].map((inbound) => api('POST', '/sandbox/inbound', { ...inbound, to: sender.number }))
    )
    t.same(
      answers.map((answer) => answer.status),
      answers.map(() => 200)
    )
    const received = answers.map((answer) => answer.body.data.message)
    for (const message of received)
      t.same(message, await created(api('GET', `/messages/${message.id}`)), 'the answer is the stored message')

    const fresh = received.slice(0, many.length)
    t.equal(new Set(fresh.map((message) => message.contact.id)).size, many.length, 'a contact for each new number')
    t.equal(new Set(fresh.map((message) => message.conversation.id)).size, many.length, 'a conversation each')
    fresh.forEach((message, index) => t.match(message, { message: many[index]!.message, phoneNumber: sender.number }))

    const again = received.slice(many.length)
    const thread = again[0].conversation.id
    t.ok(
      again.every((message) => message.conversation.id === thread),
      "one number's messages share its conversation"
    )
    const history = await created(api('GET', `/messages?conversationId=${thread}&limit=100`))
    t.equal(history.length, 1 + repeated.length)
    const times = history.map((message: { created: { at: string } }) => message.created.at).reverse()
    t.same(times, [...times].sort(), 'listed in the order they were stored')
    t.equal(new Set(times).size, times.length, "no two of one contact's messages share a moment")

    const recorded = (await events(account)).slice(before)
    const messageEvents = recorded.filter((event) => event.event_type === 'message-received')
    t.same(
      messageEvents.map((event) => (event.payload as { id: string }).id).sort(),
      received.map((message) => message.id).sort()
    )
    for (const event of messageEvents)
      t.same(
        event.payload,
        await created(api('GET', `/messages/${(event.payload as { id: string }).id}`)),
        'the message-received payload is the stored message'
      )
    t.equal(recorded.filter((event) => event.event_type === 'contact-created').length, many.length)
    t.equal(recorded.filter((event) => event.event_type === 'conversation-started').length, many.length)
    for (const message of fresh) {
      const own = recorded.filter(
        (event) =>
          JSON.stringify(event.payload).includes(message.contact.id) ||
          (event.payload as { id: string }).id === message.conversation.id
      )
      t.same(
        own.map((event) => event.event_type),
        ['contact-created', 'conversation-started', 'message-received'],
        'a new number: its contact, its thread, its message, in that order'
      )
    }
  })

  t.test(
    'a message that cannot be stored fails alone, one sent again is stored once; the others arriving with them are stored',
    async (t) => {
      const account = await createTestAccount(app)
      const number = uniqueNumber()
      await created(caller(app, account)('POST', '/senders', { number, status: 'active', carrier: 'twilio-main' }))
      const url = `${twilioMainEnv.PARLEY_PUBLIC_URL}/carriers/twilio-main/inbound`
      const inbound = (from: string, sid: string, body: string) => {
        const params = {
          MessageSid: sid,
          SmsSid: sid,
          AccountSid: 'AC0123456789abcdef0123456789abcdef',
          From: from,
          To: number,
          Body: body,
          NumMedia: '0'
        }
        return app.inject({
          method: 'POST',
          url: new URL(url).pathname,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilio.getExpectedTwilioSignature('test-token', url, params)
          },
          payload: new URLSearchParams(params).toString()
        })
      }
      const sid = (index: number) => `SM${String(index).padStart(32, '0')}`
      t.equal((await inbound('+12025550900', sid(0), 'Stored once')).statusCode, 200)

      // A message sent again (its carrier id is stored) is acknowledged and stored no more; one that
      // PostgreSQL cannot store (text cannot hold NUL) breaks whichever transaction holds it.
      const senders = Array.from({ length: 12 }, (_, index) => `+1202555${String(2000 + index)}`)
      const answers = await Promise.all([
        ...senders.slice(0, 6).map((from, index) => inbound(from, sid(index + 1), `Fine ${index}`)),
        inbound('+12025550901', sid(0), 'A duplicate'),
        inbound('+12025550902', sid(99), 'Cannot be \u0000 stored'),
        ...senders.slice(6).map((from, index) => inbound(from, sid(index + 7), `Fine ${index + 6}`))
      ])
      const statuses = answers.map((answer) => answer.statusCode)
      t.equal(statuses[6], 200, 'the duplicate is acknowledged as the first was')
      t.equal(statuses[7], 500, 'the message that cannot be stored fails')
      t.same(
        statuses.filter((_, index) => index !== 6 && index !== 7),
        senders.map(() => 200)
      )
      const stored = await created(caller(app, account)('GET', '/messages?limit=100'))
      t.same(
        stored.map((message: { message: string }) => message.message).sort(),
        ['Stored once', ...senders.map((_, index) => `Fine ${index}`)].sort(),
        'every other message is stored, once'
      )
      const recorded = await events(account)
      t.equal(recorded.filter((event) => event.event_type === 'message-received').length, 1 + senders.length)
    }
  )
})
