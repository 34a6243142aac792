import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'

t.test('conversation assignment', async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const support = await sandboxSender(app, account)
  const alice = await createTestUser(app, account.accountId, 'Sender')
  const bob = await createTestUser(app, account.accountId, 'Sender')
  const outsider = await createTestUser(app, account.accountId, 'Sender')
  for (const user of [alice, bob]) await created(api('PUT', `/groups/${support.groupId}/users/${user.userId}`))
  const conversationWith = async (number: string) =>
    (await created(api('POST', '/messages', { contacts: [{ mobile: { number } }], template: 'Hi' }))).messages[0]
      .conversation.id as string
  const first = await conversationWith('+12025551201')
  const second = await conversationWith('+12025551202')
  const third = await conversationWith('+12025551203')
  const assign = (id: string, userId: string | null, headers = account.headers) =>
    api('PUT', `/conversations/${id}/assignee`, { userId }, headers)
  const ids = async (query: string, headers = account.headers) =>
    (await created(api('GET', `/conversations${query}`, undefined, headers))).map((row: { id: string }) => row.id)

  t.test("assigning sets the contact's assigned user, shown on the conversation", async (t) => {
    const assigned = await created(assign(first, alice.userId, bob.headers))
    t.match(assigned.assignedUser, { id: alice.userId, firstName: 'Test', lastName: 'Sender' })
    const contact = await created(api('GET', `/contacts/${assigned.contact.id}`))
    t.match(contact.assignedUser, { id: alice.userId })
    await created(assign(second, bob.userId))
    t.equal((await created(api('GET', `/conversations/${third}`))).assignedUser, null)
    const events = await app.db
      .selectFrom('events')
      .select('payload')
      .where('account_id', '=', account.accountId)
      .where('event_type', '=', 'conversation-assigned')
      .execute()
    t.match(
      events.map((row) => row.payload),
      [
        { id: first, assignedUser: { id: alice.userId }, by: { id: bob.userId } },
        { id: second, assignedUser: { id: bob.userId } }
      ]
    )
  })

  t.test('the assignee must be a member of the group', async (t) => {
    for (const userId of [outsider.userId, 'nobody']) {
      const { status, body } = await assign(third, userId)
      t.equal(status, 400)
      t.equal(body.error.code, 'CONV-003')
    }
    t.equal((await assign(third, alice.userId, outsider.headers)).status, 404, 'a non-member cannot see it')
  })

  t.test('filters: assigned to me, to someone, unassigned; combined with unread and closed', async (t) => {
    t.same(await ids('?assignedUserId=me', alice.headers), [first])
    t.same(await ids(`?assignedUserId=${bob.userId}`), [second])
    t.same(await ids('?assignedUserId=none'), [third])
    t.same(await ids('?assignedUserId=me&unread=true', alice.headers), [])
    await created(api('POST', '/sandbox/inbound', { from: '+12025551201', to: support.number, message: 'Hello?' }))
    t.same(await ids('?assignedUserId=me&unread=true', alice.headers), [first])
    t.same(await ids('?assignedUserId=me&unread=false', alice.headers), [])
    t.same(await ids(`?assignedUserId=${alice.userId}&closed=true`), [])
    t.same(await ids(`?assignedUserId=${alice.userId}&group=${support.groupId}`), [first])
    const { status, body } = await api('GET', '/conversations?assignedUserId=me')
    t.equal(status, 400, 'me needs an acting user')
    t.equal(body.error.code, 'CONV-004')
  })

  t.test('unassigning', async (t) => {
    const unassigned = await created(assign(first, null))
    t.equal(unassigned.assignedUser, null)
    t.same(await ids('?assignedUserId=none'), [first, third], 'most recent message first')
  })
})
