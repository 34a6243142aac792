import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { eventually, messageReaching, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

t.test('sending messages', async (t) => {
  const app = await buildTestApp(t, quickSandbox)

  t.test("Sakari's documented example works verbatim and reaches delivered in the sandbox", async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const sender = await sandboxSender(app, account)
    const { status, body } = await api('POST', '/messages', {
      contacts: [{ mobile: { number: '+1234567890', country: 'US' } }],
      template: 'Congratulations! You just sent your first message'
    })
    t.equal(status, 200)
    t.equal(body.success, true)
    t.match(body.data, { requested: 1, valid: 1, invalid: [], estimatedPrice: 0.0079, status: 'completed' })
    t.type(body.data.jobId, 'string')
    const [message] = body.data.messages
    // Sakari's "+1234567890" with country US is the national number 123-456-7890 (src/shared/phone.ts).
    t.match(message, {
      status: 'queued',
      type: 'SMS',
      message: 'Congratulations! You just sent your first message',
      outgoing: true,
      phoneNumber: sender.number,
      price: 0.0079,
      segments: 1,
      read: true,
      contact: { mobile: { number: '+11234567890', country: 'US' } },
      group: { id: sender.groupId },
      jobId: body.data.jobId,
      created: { by: { id: account.clientId } }
    })
    const delivered = await messageReaching(app, account, message.id, ['delivered'])
    t.match(delivered, {
      status: 'delivered',
      error: undefined,
      conversation: { id: message.conversation.id, closed: false }
    })
    t.ok(delivered.sentAt && delivered.deliveredAt && delivered.queuedAt)
    const sandbox = await created(api('GET', '/sandbox/messages'))
    t.equal(sandbox.length, 1)
    t.match(sandbox[0], {
      idempotencyKey: message.id,
      from: sender.number,
      to: '+11234567890',
      message: 'Congratulations! You just sent your first message',
      attempts: 1
    })
    const contacts = await created(api('GET', '/contacts'))
    t.equal(contacts.length, 1, 'the contact was created')
    const events = await app.db
      .selectFrom('events')
      .select('event_type')
      .where('account_id', '=', account.accountId)
      .orderBy('seq')
      .execute()
    t.same(
      events.map((event) => event.event_type),
      ['contact-created', 'conversation-started', 'message-sent', 'message-status']
    )
  })

  t.test(
    'personalisation, segments and price per recipient; invalid recipients are listed with their reason',
    async (t) => {
      const account = await createTestAccount(app)
      const api = caller(app, account)
      await sandboxSender(app, account)
      await created(api('POST', '/attributes/contacts', { name: 'plan', label: 'Plan', dataType: 'text' }))
      const jane = (
        await created(
          api('POST', '/contacts', {
            firstName: 'Jane',
            mobile: { number: '+12025550101' },
            attributes: { plan: 'gold' }
          })
        )
      )[0]
      const blocked = (
        await created(api('POST', '/contacts', { firstName: 'Bob', mobile: { number: '+12025550102' } }))
      )[0]
      await created(api('POST', `/contacts/${blocked.id}/opt-out`))
      const { status, body } = await api('POST', '/messages', {
        contacts: [
          { id: jane.id },
          { mobile: { number: '+12025550103' }, firstName: 'Zoë' },
          { id: blocked.id },
          { mobile: { number: '12', country: 'US' } },
          { mobile: { number: '+447700900123' } },
          { id: 'nope' },
          { id: jane.id }
        ],
        template: 'Hi {{{firstName}}}, your plan: {{{contact.attributes.plan}}}{{{plan}}}.'
      })
      t.equal(status, 200)
      t.match(body.data, { requested: 7, valid: 2 })
      t.same(
        body.data.messages.map((message: { message: string }) => message.message),
        ['Hi Jane, your plan: goldgold.', 'Hi Zoë, your plan: .']
      )
      t.same(
        body.data.messages.map((message: { segments: number; price: number }) => [message.segments, message.price]),
        [
          [1, 0.0079],
          [1, 0.0079]
        ]
      )
      t.same(body.data.invalid.map((invalid: { error: { code: string } }) => invalid.error.code).sort(), [
        'CONT-001',
        'CONT-002',
        'CONT-010',
        'MSG-001',
        'MSG-024'
      ])
      t.match(
        body.data.invalid.find((invalid: { error: { code: string } }) => invalid.error.code === 'CONT-010'),
        { id: blocked.id, valid: false, error: { description: 'Contact has requested no further communication' } }
      )
      t.match(
        body.data.invalid.find((invalid: { error: { code: string } }) => invalid.error.code === 'MSG-001'),
        { mobile: { number: '+447700900123' } }
      )
      t.equal(body.data.estimatedPrice, 0.0158)
    }
  )

  t.test('a number that texted STOP stays unreachable after its contact is deleted', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const sender = await sandboxSender(app, account)
    await created(api('POST', '/sandbox/inbound', { from: '+12025550121', to: sender.number, message: 'STOP' }))
    const [contact] = await created(api('GET', '/contacts?mobile=2025550121'))
    t.equal(contact.valid, false)
    t.equal((await api('DELETE', `/contacts/${contact.id}`)).status, 200)
    const { body } = await api('POST', '/messages', {
      contacts: [{ mobile: { number: '+12025550121' } }],
      template: 'Back again?'
    })
    t.match(body.data, { valid: 0, invalid: [{ mobile: { number: '+12025550121' }, error: { code: 'CONT-010' } }] })
  })

  t.test('too long (MSG-007), duplicate within 30 minutes (MSG-024) until the contact replies', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const sender = await sandboxSender(app, account)
    const to = { contacts: [{ mobile: { number: '+12025550111' } }] }
    const tooLong = await api('POST', '/messages', { ...to, template: 'x'.repeat(153 * 10 + 1) })
    t.equal(tooLong.body.data.invalid[0].error.code, 'MSG-007')
    t.equal(
      (await api('POST', '/messages', { ...to, template: 'x'.repeat(153 * 10) })).body.data.valid,
      1,
      'ten segments is the limit'
    )
    t.equal((await api('POST', '/messages', { ...to, template: 'Hello' })).body.data.valid, 1)
    const again = await api('POST', '/messages', { ...to, template: 'Hello' })
    t.match(again.body.data, { valid: 0, invalid: [{ error: { code: 'MSG-024' } }] })
    t.equal(
      (await api('POST', '/messages', { ...to, template: 'Hello there' })).body.data.valid,
      1,
      'a different text is fine'
    )
    await created(api('POST', '/sandbox/inbound', { from: '+12025550111', to: sender.number, message: 'Hi back' }))
    t.equal(
      (await api('POST', '/messages', { ...to, template: 'Hello' })).body.data.valid,
      1,
      'after a reply the same text may go again'
    )
  })

  t.test('identical sends at the same moment: only one gets through the duplicate guard', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    await sandboxSender(app, account)
    const [contact] = await created(api('POST', '/contacts', { mobile: { number: '+12025550112' } }))
    const sends = await Promise.all(
      Array.from({ length: 5 }, () =>
        api('POST', '/messages', { contacts: [{ id: contact.id }], template: 'Your code is ready' })
      )
    )
    t.same(sends.map((send) => send.body.data.valid).sort(), [0, 0, 0, 0, 1])
    t.same(
      sends.flatMap((send) => send.body.data.invalid.map((invalid: { error: { code: string } }) => invalid.error.code)),
      ['MSG-024', 'MSG-024', 'MSG-024', 'MSG-024']
    )
    t.equal((await api('GET', `/messages?contactId=${contact.id}`)).body.pagination.totalCount, 1)
  })

  t.test('filters select saved contacts by tags and attributes with the reference comparators', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    await sandboxSender(app, account)
    await created(api('POST', '/attributes/contacts', { name: 'score', label: 'Score', dataType: 'number' }))
    for (const [index, score] of [5, 10, 20].entries()) {
      await created(
        api('POST', '/contacts', {
          firstName: `C${index}`,
          mobile: { number: `+1202555020${index}` },
          tags: [{ tag: 'vip' }],
          attributes: { score }
        })
      )
    }
    await created(
      api('POST', '/contacts', { firstName: 'Other', mobile: { number: '+12025550209' }, attributes: { score: 50 } })
    )
    const send = async (filters: object, template: string) =>
      (await api('POST', '/messages', { filters, template })).body
    t.equal((await send({ tags: ['vip'] }, 'All vips')).data.valid, 3)
    t.equal(
      (await send({ tags: ['vip'], attributes: [{ name: 'score', comparator: '>=', value: '10' }] }, 'High vips')).data
        .valid,
      2
    )
    t.equal((await send({ attributes: [{ name: 'score', comparator: '>', value: 15 }] }, 'Over 15')).data.valid, 2)
    t.equal(
      (await send({ attributes: [{ attribute: 'score', comparator: '!=', value: ['5', '50'] }] }, 'Not 5 or 50')).data
        .valid,
      2
    )
    t.equal(
      (await send({ attributes: [{ name: 'firstName', comparator: '=', value: 'Other' }] }, 'By name')).data.valid,
      1
    )
    const unknown = await api('POST', '/messages', {
      filters: { attributes: [{ name: 'nope', comparator: '=', value: 1 }] },
      template: 'x'
    })
    t.equal(unknown.status, 400)
    t.equal(unknown.body.error.code, 'ATTR-001')
    const empty = await api('POST', '/messages', { filters: {}, template: 'x' })
    t.equal(empty.body.error.code, 'MSG-003', 'an empty filter selects no one')
  })

  t.test('request errors: no template, bad template, unknown group, group without senders', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const to = { contacts: [{ mobile: { number: '+12025550301' } }] }
    t.match(await api('POST', '/messages', to), {
      status: 400,
      body: { error: { code: 'REQ-001', message: /template/ } }
    })
    t.match(await api('POST', '/messages', { ...to, template: 'Hi {{firstName' }), {
      status: 400,
      body: { error: { code: 'TMPL-002' } }
    })
    t.match(await api('POST', '/messages', { ...to, template: 'x', phoneNumberFilter: { group: { id: 'nope' } } }), {
      status: 404,
      body: { error: { code: 'GRP-001' } }
    })
    const noSender = await api('POST', '/messages', { ...to, template: 'x' })
    t.match(noSender.body.data, { valid: 0, invalid: [{ error: { code: 'MSG-001' } }] })
    t.equal((await api('GET', '/messages')).body.pagination.totalCount, 0)
  })

  t.test('saved templates can be sent by id, and a group by its API code', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const group = await created(api('POST', '/groups', { name: 'Support', apiCode: 'support' }))
    await sandboxSender(app, account, { groupId: group.id })
    const [template] = await created(
      api('POST', '/templates', { name: 'Welcome', template: 'Welcome {{{firstName}}}!' })
    )
    const { body } = await api('POST', '/messages', {
      contacts: [{ mobile: { number: '+12025550401' }, firstName: 'Ann' }],
      templateId: template.id,
      phoneNumberFilter: { group: { id: 'SUPPORT' } }
    })
    t.match(body.data.messages, [
      { message: 'Welcome Ann!', template: 'Welcome {{{firstName}}}!', group: { id: group.id, name: 'Support' } }
    ])
  })

  t.test('messages list filters, and what other users and accounts can see', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const first = await sandboxSender(app, account)
    const other = await created(api('POST', '/groups', { name: 'Other' }))
    await sandboxSender(app, account, { groupId: other.id })
    const member = await createTestUser(app, account.accountId, 'Sender')
    await created(api('PUT', `/groups/${first.groupId}/users/${member.userId}`))
    const mine = await created(
      api('POST', '/messages', { contacts: [{ mobile: { number: '+12025550501' } }], template: 'From first' })
    )
    const theirs = await created(
      api('POST', '/messages', {
        contacts: [{ mobile: { number: '+12025550502' } }],
        template: 'From other',
        phoneNumberFilter: { group: { id: other.id } }
      })
    )
    const [mineId, theirsId] = [mine.messages[0].id, theirs.messages[0].id]
    await messageReaching(app, account, theirsId, ['delivered'])

    const ids = async (query: string, headers = account.headers) =>
      (await api('GET', `/messages${query}`, undefined, headers)).body.data.map((message: { id: string }) => message.id)
    t.same(await ids(''), [theirsId, mineId], 'newest first')
    t.same(await ids(`?group=${other.id}`), [theirsId])
    t.same(await ids(`?jobId=${mine.jobId}`), [mineId])
    t.same(await ids(`?contactId=${mine.messages[0].contact.id}`), [mineId])
    t.same(await ids(`?conversationId=${theirs.messages[0].conversation.id}`), [theirsId])
    t.same(await ids('?status=delivered'), await ids('?status=delivered&direction=outbound'))
    t.same(await ids('?direction=inbound'), [])
    t.same(await ids('', member.headers), [mineId], 'a member sees only their groups')
    t.equal((await api('GET', `/messages/${theirsId}`, undefined, member.headers)).status, 404)
    t.equal((await api('GET', `/messages?group=${other.id}`, undefined, member.headers)).status, 404)
    t.equal(
      (
        await api(
          'POST',
          '/messages',
          {
            contacts: [{ mobile: { number: '+12025550503' } }],
            template: 'x',
            phoneNumberFilter: { group: { id: other.id } }
          },
          member.headers
        )
      ).status,
      404
    )
    t.equal((await api('GET', `/messages/jobs/${theirs.jobId}`, undefined, member.headers)).status, 404)
    t.match(await created(api('GET', `/messages/jobs/${mine.jobId}`, undefined, member.headers)), {
      jobId: mine.jobId,
      status: 'completed',
      requested: 1,
      valid: 1,
      invalid: 0
    })

    const stranger = await createTestAccount(app)
    const strangerApi = caller(app, stranger)
    t.equal((await strangerApi('GET', `/messages/${mineId}`)).status, 404)
    t.same((await strangerApi('GET', '/messages')).body.data, [])
    const readOnly = await createTestUser(app, account.accountId, 'Read Only')
    t.equal(
      (
        await api(
          'POST',
          '/messages',
          { contacts: [{ mobile: { number: '+12025550504' } }], template: 'x' },
          readOnly.headers
        )
      ).status,
      403
    )
  })

  t.test(
    'the sandbox test numbers: 0001 undelivered, 0002 failed at submit, 0003 retried then delivered',
    async (t) => {
      const account = await createTestAccount(app)
      const api = caller(app, account)
      await sandboxSender(app, account)
      const { body } = await api('POST', '/messages', {
        contacts: ['+12025550001', '+12025550002', '+12025550003'].map((number) => ({ mobile: { number } })),
        template: 'Test numbers'
      })
      const [undelivered, failed, retried] = body.data.messages
      t.match(await messageReaching(app, account, undelivered.id, ['undelivered']), {
        status: 'undelivered',
        error: { code: 'MSG-019' }
      })
      t.match(await messageReaching(app, account, failed.id, ['failed']), {
        status: 'failed',
        error: { code: 'MSG-023', description: 'Rejected by the carrier' }
      })
      t.match(await messageReaching(app, account, retried.id, ['delivered']), { status: 'delivered' })
      const attempts = await eventually(
        async () => await created(api('GET', '/sandbox/messages?to=%2B12025550003')),
        (rows) => rows[0]?.attempts === 2
      )
      t.equal(attempts[0].attempts, 2, 'submitted twice with one key: one message')
    }
  )
})
