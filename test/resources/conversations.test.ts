import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { caller, created } from '../helpers/api.ts'

t.test('conversations', async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const support = await sandboxSender(app, account)
  const salesGroup = await created(api('POST', '/groups', { name: 'Sales', apiCode: 'sales' }))
  const sales = await sandboxSender(app, account, { groupId: salesGroup.id })
  const member = await createTestUser(app, account.accountId, 'Sender')
  await created(api('PUT', `/groups/${support.groupId}/users/${member.userId}`))
  const send = async (number: string, template: string, group?: string, headers = account.headers) =>
    (
      await created(
        api(
          'POST',
          '/messages',
          {
            contacts: [{ mobile: { number } }],
            template,
            ...(group ? { phoneNumberFilter: { group: { id: group } } } : {})
          },
          headers
        )
      )
    ).messages[0]

  const first = await send('+12025550801', 'Hello one')
  const second = await send('+12025550802', 'Hello two')
  const inSales = await send('+12025550801', 'From sales', 'sales')
  const ids = async (query = '', headers = account.headers) =>
    (await created(api('GET', `/conversations${query}`, undefined, headers))).map((row: { id: string }) => row.id)

  t.test("one open conversation per contact and sender; replies reuse the conversation's sender", async (t) => {
    t.not(inSales.conversation.id, first.conversation.id, 'another sender is another conversation')
    const again = await send('+12025550801', 'Hello again')
    t.equal(again.conversation.id, first.conversation.id)
    const reply = await created(
      api('POST', '/messages', { conversations: [inSales.conversation.id], template: 'Reply in sales' })
    )
    t.match(reply.messages, [
      { conversation: { id: inSales.conversation.id }, phoneNumber: sales.number, group: { id: salesGroup.id } }
    ])
    const unknown = await created(api('POST', '/messages', { conversations: ['nope'], template: 'x' }))
    t.match(unknown, {
      requested: 1,
      valid: 0,
      invalid: [{ conversation: { id: 'nope' }, error: { code: 'CONV-001' } }]
    })
  })

  t.test('lists filter by group, contact, open or closed; members see their groups only', async (t) => {
    t.same(await ids(), [inSales.conversation.id, first.conversation.id, second.conversation.id])
    t.same(await ids('?group=sales'), [inSales.conversation.id])
    t.same(await ids(`?contactId=${first.contact.id}`), [inSales.conversation.id, first.conversation.id])
    t.same(await ids('', member.headers), [first.conversation.id, second.conversation.id])
    t.equal(
      (await api('GET', `/conversations/${inSales.conversation.id}`, undefined, member.headers)).body.error.code,
      'CONV-001'
    )
    t.equal((await api('GET', `/conversations/${inSales.conversation.id}`, undefined, member.headers)).status, 404)
    t.equal((await api('GET', '/conversations?group=sales', undefined, member.headers)).status, 404)
    t.equal(
      (await api('PUT', `/conversations/${inSales.conversation.id}/close`, undefined, member.headers)).status,
      404
    )
    const replyToHidden = await created(
      api('POST', '/messages', { conversations: [inSales.conversation.id], template: 'Sneaky' }, member.headers)
    )
    t.match(replyToHidden, { valid: 0, invalid: [{ error: { code: 'CONV-001' } }] })
    const stranger = caller(app, await createTestAccount(app))
    t.equal((await stranger('GET', `/conversations/${first.conversation.id}`)).status, 404)
    t.same((await stranger('GET', '/conversations')).body.data, [])
  })

  t.test('closing archives a conversation once; the next message starts a new one', async (t) => {
    const closed = await created(
      api('PUT', `/conversations/${second.conversation.id}/close`, undefined, member.headers)
    )
    t.match(closed, { id: second.conversation.id, closed: true, lastMessage: { id: second.id } })
    t.type(closed.closedAt, 'string')
    const again = await created(api('PUT', `/conversations/${second.conversation.id}/close`))
    t.equal(again.closedAt, closed.closedAt, 'closing twice changes nothing')
    t.same(await ids('?closed=true'), [second.conversation.id])
    t.notOk((await ids('?closed=false')).includes(second.conversation.id))
    const events = await app.db
      .selectFrom('events')
      .select('payload')
      .where('account_id', '=', account.accountId)
      .where('event_type', '=', 'conversation-closed')
      .execute()
    t.equal(events.length, 1)
    const next = await send('+12025550802', 'After close')
    t.not(next.conversation.id, second.conversation.id)
    const readOnly = await createTestUser(app, account.accountId, 'Read Only')
    t.equal((await api('PUT', `/conversations/${next.conversation.id}/close`, undefined, readOnly.headers)).status, 403)
  })

  t.test('read state needs an acting user', async (t) => {
    const { status, body } = await api('POST', `/conversations/${first.conversation.id}/read`)
    t.equal(status, 400)
    t.equal(body.error.code, 'CONV-002')
    const asMember = await api('POST', `/conversations/${first.conversation.id}/read`, undefined, {
      ...account.headers,
      'x-parley-user-email': member.email
    })
    t.equal(asMember.status, 200)
    t.same(await ids('?unread=true', member.headers), [])
  })
})
