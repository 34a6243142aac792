import t from 'tap'
import { buildTestApp, twilioMainEnv } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { messageReaching, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

t.test('inbound messages and keywords', async (t) => {
  const app = await buildTestApp(t, {
    ...quickSandbox,
    ...twilioMainEnv,
    PARLEY_HELP_TEXT: 'Acme support: call 555-0100.'
  })

  async function setup() {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const sender = await sandboxSender(app, account)
    const member = await createTestUser(app, account.accountId, 'Sender')
    await created(api('PUT', `/groups/${sender.groupId}/users/${member.userId}`))
    const inject = (message: string, from = '+12025550701') =>
      created(api('POST', '/sandbox/inbound', { from, to: sender.number, message }))
    return { account, api, sender, member, inject }
  }

  t.test("a reply lands in the group's conversation, unread for its members until read", async (t) => {
    const { account, api, sender, member, inject } = await setup()
    const sent = await created(
      api('POST', '/messages', {
        contacts: [{ mobile: { number: '+12025550701' } }],
        template: 'Can you make Tuesday?'
      })
    )
    await messageReaching(app, account, sent.messages[0].id, ['delivered'])
    const received = await inject('Yes, Tuesday works')
    t.match(received.message, {
      status: 'received',
      outgoing: false,
      read: false,
      message: 'Yes, Tuesday works',
      phoneNumber: sender.number,
      conversation: { id: sent.messages[0].conversation.id },
      price: 0
    })
    t.notOk(received.keyword)

    const conversation = await created(
      api('GET', `/conversations/${sent.messages[0].conversation.id}`, undefined, member.headers)
    )
    t.match(conversation, {
      closed: false,
      contact: { mobile: { number: '+12025550701' } },
      phoneNumber: { id: sender.senderId, number: sender.number },
      group: { id: sender.groupId },
      lastMessage: { id: received.message.id, message: 'Yes, Tuesday works' }
    })
    // The account's first user is a member of the default group too.
    t.same([...conversation.unread].sort(), [account.adminUserId, member.userId].sort())
    const unread = await created(api('GET', '/conversations?unread=true', undefined, member.headers))
    t.same(
      unread.map((row: { id: string }) => row.id),
      [conversation.id]
    )
    const read = await created(api('POST', `/conversations/${conversation.id}/read`, undefined, member.headers))
    t.same(read.unread, [account.adminUserId], 'read for the caller only')
    t.same(await created(api('GET', '/conversations?unread=true', undefined, member.headers)), [])
    const history = await created(api('GET', `/messages?conversationId=${conversation.id}`, undefined, member.headers))
    t.same(
      history.map((message: { outgoing: boolean; read: boolean }) => [message.outgoing, message.read]),
      [
        [false, true],
        [true, true]
      ]
    )
    const types = (
      await app.db.selectFrom('events').select('event_type').where('account_id', '=', account.accountId).execute()
    ).map((row) => row.event_type)
    t.ok(types.includes('message-received'))
  })

  t.test('a message from a new number creates the contact and a conversation', async (t) => {
    const { api, inject } = await setup()
    const received = await inject('Hello?', '+12025550702')
    const contact = await created(api('GET', `/contacts/${received.message.contact.id}`))
    t.match(contact, { mobile: { number: '+12025550702' } })
    t.match(
      await created(api('GET', `/conversations/${received.message.conversation.id}`)),
      { closed: false, unread: [] },
      'the account-wide credential is not a member'
    )
  })

  t.test('STOP opts the contact out with one confirmation; a later send is CONT-010; START opts back in', async (t) => {
    const { account, api, inject } = await setup()
    const stop = await inject('  stop ')
    t.equal(stop.keyword, 'opt-out')
    t.match(stop.reply, { status: 'queued', outgoing: true, message: /unsubscribed/ })
    await messageReaching(app, account, stop.reply.id, ['delivered'])
    const contact = await created(api('GET', `/contacts/${stop.message.contact.id}`))
    t.match(contact, { valid: false, error: { code: 'CONT-010' } })
    t.type(contact.optedOut, 'string')
    const refused = await created(api('POST', '/messages', { contacts: [{ id: contact.id }], template: 'Sale today!' }))
    t.match(refused, { valid: 0, invalid: [{ id: contact.id, error: { code: 'CONT-010' } }] })
    const help = await inject('HELP')
    t.equal(help.keyword, 'help')
    t.notOk(help.reply, 'no help reply to an opted-out contact')

    const start = await inject('Start')
    t.equal(start.keyword, 'opt-in')
    t.match(start.reply, { message: /subscribed again/ })
    t.match(await created(api('GET', `/contacts/${contact.id}`)), { valid: true })
    t.equal(
      (await created(api('POST', '/messages', { contacts: [{ id: contact.id }], template: 'Welcome back' }))).valid,
      1
    )
    const replies = await created(api('GET', `/messages?contactId=${contact.id}&direction=outbound&limit=100`))
    t.equal(
      replies.filter((message: { message: string }) => /unsubscribed/.test(message.message)).length,
      1,
      'one confirmation'
    )
    const types = (
      await app.db.selectFrom('events').select('event_type').where('account_id', '=', account.accountId).execute()
    ).map((row) => row.event_type)
    t.ok(types.includes('contact-opt-out') && types.includes('contact-opt-in'))
  })

  t.test(
    "HELP and INFO answer with the account's help text, else the configured one; other text is not a keyword",
    async (t) => {
      const { api, inject } = await setup()
      t.match((await inject('info', '+12025550703')).reply, { message: 'Acme support: call 555-0100.' })
      t.match(
        (await inject('HELP', '+12025550703')).reply,
        { message: 'Acme support: call 555-0100.' },
        'answered every time'
      )
      t.notOk((await inject('stop it please', '+12025550703')).keyword)
      await created(api('PUT', '', { helpText: 'Beta Co: text {{agent}} or call 555-0199.' }))
      t.match(
        (await inject('help', '+12025550703')).reply,
        { message: 'Beta Co: text {{agent}} or call 555-0199.' },
        "the account's own text, braces and all"
      )
      await created(api('PUT', '', { helpText: null }))
      t.match(
        (await inject('help', '+12025550703')).reply,
        { message: 'Acme support: call 555-0100.' },
        'back to the default'
      )
    }
  )

  t.test('refusals: unknown receiving number, non-sandbox sender, invalid from, non-admins', async (t) => {
    const { api, member } = await setup()
    t.match(await api('POST', '/sandbox/inbound', { from: '+12025550704', to: '+12025559999', message: 'x' }), {
      status: 404,
      body: { error: { code: 'SNDR-001' } }
    })
    const twilioSender = await created(
      api('POST', '/senders', { number: '+12025559998', status: 'active', carrier: 'twilio-main' })
    )
    t.match(await api('POST', '/sandbox/inbound', { from: '+12025550704', to: twilioSender.number, message: 'x' }), {
      status: 400,
      body: { error: { code: 'MSG-005' } }
    })
    const sandbox = await created(api('GET', '/senders?limit=100'))
    t.match(await api('POST', '/sandbox/inbound', { from: '12', to: sandbox[0].number, message: 'x' }), {
      status: 400,
      body: { error: { code: 'CONT-001' } }
    })
    t.equal(
      (
        await api(
          'POST',
          '/sandbox/inbound',
          { from: '+12025550704', to: sandbox[0].number, message: 'x' },
          member.headers
        )
      ).status,
      403
    )
    const other = await createTestAccount(app)
    t.match(
      await caller(app, other)('POST', '/sandbox/inbound', {
        from: '+12025550704',
        to: sandbox[0].number,
        message: 'x'
      }),
      { status: 404 },
      "another account's sender is unknown"
    )
  })

  t.test('inbound reopens the closed conversation; an outbound send starts a new one', async (t) => {
    const { account, api, member, inject } = await setup()
    const first = await inject('One', '+12025550705')
    const conversationId = first.message.conversation.id
    await created(api('PUT', `/conversations/${conversationId}/close`))
    await created(api('POST', `/conversations/${conversationId}/read`, undefined, member.headers))
    const second = await inject('Two', '+12025550705')
    t.equal(second.message.conversation.id, conversationId, 'the same thread')
    const reopened = await created(api('GET', `/conversations/${conversationId}`, undefined, member.headers))
    t.match(reopened, { closed: false, lastMessage: { id: second.message.id } })
    t.notOk('closedAt' in reopened)
    t.ok(reopened.unread.includes(member.userId), 'unread again for the members')
    t.same(await created(api('GET', `/conversations?closed=true&contactId=${first.message.contact.id}`)), [])
    const history = await created(api('GET', `/messages?conversationId=${conversationId}`))
    t.same(
      history.map((message: { id: string }) => message.id),
      [second.message.id, first.message.id]
    )
    const started = await app.db
      .selectFrom('events')
      .select('payload')
      .where('account_id', '=', account.accountId)
      .where('event_type', '=', 'conversation-started')
      .orderBy('seq')
      .execute()
    t.same(
      started.map((row) => row.payload),
      [
        {
          id: conversationId,
          contact: { id: first.message.contact.id },
          phoneNumber: { id: reopened.phoneNumber.id },
          group: { id: reopened.group.id }
        },
        {
          id: conversationId,
          contact: { id: first.message.contact.id },
          phoneNumber: { id: reopened.phoneNumber.id },
          group: { id: reopened.group.id },
          reopened: true
        }
      ]
    )

    await created(api('PUT', `/conversations/${conversationId}/close`))
    const sent = await created(
      api('POST', '/messages', { contacts: [{ id: first.message.contact.id }], template: 'A new topic' })
    )
    const newId = sent.messages[0].conversation.id
    t.not(newId, conversationId, 'outbound leaves the archive alone')
    t.equal((await inject('Three', '+12025550705')).message.conversation.id, newId, 'inbound joins the open one')
    t.same(
      (await created(api('GET', `/conversations?closed=true&contactId=${first.message.contact.id}`))).map(
        (row: { id: string }) => row.id
      ),
      [conversationId]
    )
  })

  t.test('racing inbound messages reopen one conversation', async (t) => {
    const { account, api, inject } = await setup()
    const first = await inject('One', '+12025550706')
    await created(api('PUT', `/conversations/${first.message.conversation.id}/close`))
    const racing = await Promise.all(Array.from({ length: 8 }, (_, index) => inject(`Race ${index}`, '+12025550706')))
    t.same(
      new Set(racing.map((received) => received.message.conversation.id)),
      new Set([first.message.conversation.id])
    )
    const all = await created(api('GET', `/conversations?contactId=${first.message.contact.id}`))
    t.same(
      all.map((row: { id: string; closed: boolean }) => [row.id, row.closed]),
      [[first.message.conversation.id, false]]
    )

    // A send that opens a new conversation first wins: the reopen gives way and the message joins it.
    await created(api('PUT', `/conversations/${first.message.conversation.id}/close`))
    const writer = await app.db.startTransaction().execute()
    const opened = await writer
      .insertInto('conversations')
      .values({
        id: 'racing-open',
        account_id: account.accountId,
        contact_id: first.message.contact.id,
        sender_id: all[0].phoneNumber.id,
        group_id: all[0].group.id,
        created_by: '{}',
        updated_by: '{}'
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const pending = inject('Meanwhile', '+12025550706')
    await new Promise((resolve) => setTimeout(resolve, 300))
    await writer.commit().execute()
    t.equal((await pending).message.conversation.id, opened.id)
  })
})
