import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { eventually, messageReaching } from '../helpers/messaging.ts'
import { startSmsc } from '../helpers/smsc.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'

// A sender on an SMPP carrier configured in PARLEY_CARRIERS, driven through the HTTP API against the
// Perl test SMSC (Net::SMPP): the send reaches delivered through a receipt, a reply lands in the
// conversation, STOP opts the contact out, and GET /carriers shows the bind.
const CARRIER = 'smsc-test'

t.test('a sender on an SMPP carrier, through the HTTP API', async (t) => {
  const smsc = await startSmsc(t)
  const password = 'secret'
  const app = await buildTestApp(t, {
    PARLEY_CARRIERS: JSON.stringify({
      [CARRIER]: { type: 'smpp', host: '127.0.0.1', port: smsc.port, systemId: 'parley', password }
    })
  })
  await smsc.logged('bind', 1)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const number = uniqueNumber()
  await created(api('POST', '/senders', { number, status: 'active', carrier: CARRIER }))

  t.test('GET /carriers shows the bind, never the password', async (t) => {
    const answer = await api('GET', '/carriers')
    t.equal(answer.status, 200)
    const smpp = await eventually(
      async () => (await created(api('GET', '/carriers'))).find((c: { name: string }) => c.name === CARRIER),
      (carrier) => carrier?.health.state === 'bound'
    )
    t.match(smpp, { name: CARRIER, type: 'smpp', health: { state: 'bound', since: String, lastError: null } })
    t.match((await created(api('GET', '/carriers')))[0], {
      name: 'sandbox',
      type: 'sandbox',
      health: { state: 'ready' }
    })
    t.notMatch(JSON.stringify(answer.body), password)
  })

  t.test('a send reaches delivered through the SMSC receipt', async (t) => {
    const { messages } = await created(
      api('POST', '/messages', { contacts: [{ mobile: { number: '+12025550160' } }], template: 'Your table is ready' })
    )
    const message = await messageReaching(app, account, messages[0].id, ['delivered', 'undelivered', 'failed'])
    t.equal(message.status, 'delivered')
    const [submit] = await smsc.logged('submit_sm', 1)
    t.match(submit, { source_addr: number.slice(1), destination_addr: '12025550160' })
  })

  t.test('receipts sent before the submit_sm_resp, so before dispatch records the ids, still deliver', async (t) => {
    smsc.command({ cmd: 'set', 'receipt-before-resp': 1 })
    t.teardown(() => smsc.command({ cmd: 'set', 'receipt-before-resp': 0 }))
    // Forty at once, so some receipts land while dispatch is committing their ids: a report read as
    // unmatched just after its id was recorded must still be applied (it once was lost there).
    const contacts = Array.from({ length: 40 }, (_, index) => ({ mobile: { number: `+1202555${2000 + index}` } }))
    const { messages } = await created(api('POST', '/messages', { contacts, template: 'Early receipt' }))
    const statuses: string[] = []
    for (const { id } of messages)
      statuses.push((await messageReaching(app, account, id, ['delivered', 'undelivered', 'failed'])).status)
    t.same(new Set(statuses), new Set(['delivered']))
    t.equal(statuses.length, 40)
  })

  t.test(
    'a deliver_sm sent again is acknowledged and stored once; the same text after another message, or after a send, is new',
    async (t) => {
      const mobile = '+12025550162'
      const { messages } = await created(
        api('POST', '/messages', { contacts: [{ mobile: { number: mobile } }], template: 'Running late?' })
      )
      const sent = await messageReaching(app, account, messages[0].id, ['delivered', 'undelivered', 'failed'])
      const answered = () => smsc.of('deliver_sm_resp').filter((event) => event.receipt === 0)
      const deliver = async (text: string, times: number) => {
        const before = answered().length
        smsc.command({ cmd: 'deliver', from: mobile, to: number, text, times })
        await smsc.waitFor(() => answered().length >= before + times)
        return answered()
          .slice(before)
          .map((event) => event.status)
      }
      t.same(await deliver('Ten minutes', 3), [0, 0, 0], 'each copy is answered ESME_ROK')
      t.same(await deliver('On my way', 1), [0])
      t.same(await deliver('Ten minutes', 1), [0])
      // An answer to a new question is never taken for a copy, even with the same text.
      const question = await created(
        api('POST', '/messages', { contacts: [{ mobile: { number: mobile } }], template: 'Still ten minutes?' })
      )
      await messageReaching(app, account, question.messages[0].id, ['delivered', 'undelivered', 'failed'])
      t.same(await deliver('Ten minutes', 1), [0])
      const stored = await app.db
        .selectFrom('messages')
        .select(['id', 'body'])
        .where('conversation_id', '=', sent.conversation.id)
        .where('outgoing', '=', false)
        .orderBy('created_at')
        .execute()
      t.same(
        stored.map((message) => message.body),
        ['Ten minutes', 'On my way', 'Ten minutes', 'Ten minutes']
      )
      const received = await app.db
        .selectFrom('events')
        .select('payload')
        .where('account_id', '=', account.accountId)
        .where('event_type', '=', 'message-received')
        .execute()
      const ids = received.map((event) => (event.payload as { id: string }).id)
      t.same(
        stored.map((message) => ids.filter((id) => id === message.id).length),
        [1, 1, 1, 1],
        'one message-received event each'
      )
    }
  )

  t.test('a reply lands in the conversation; STOP opts the contact out', async (t) => {
    const { messages } = await created(
      api('POST', '/messages', { contacts: [{ mobile: { number: '+12025550161' } }], template: 'Table for two?' })
    )
    const sent = await messageReaching(app, account, messages[0].id, ['delivered', 'undelivered', 'failed'])
    smsc.command({ cmd: 'deliver', from: '+12025550161', to: number, text: 'Yes please' })
    const conversation = await eventually(
      async () => await created(api('GET', `/conversations/${sent.conversation.id}`)),
      (found) => found.lastMessage?.message === 'Yes please'
    )
    t.match(conversation.lastMessage, { message: 'Yes please' })

    smsc.command({ cmd: 'deliver', from: '+12025550161', to: number, text: 'STOP' })
    const contact = await eventually(
      async () => await created(api('GET', `/contacts/${sent.contact.id}`)),
      (found) => typeof found.optedOut === 'string'
    )
    t.match(contact, { valid: false, error: { code: 'CONT-010' } })
    // The confirmation goes out through the same SMSC.
    await smsc.waitFor((events) =>
      events.some((event) => event.event === 'message' && /unsubscribed/.test(String(event.text)))
    )
  })
})
