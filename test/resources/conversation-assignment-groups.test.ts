import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'

// One contact texts two groups' numbers: assignment through one group's conversation must never
// show, filter or change anything in the other group's inbox unless the caller works there too.
t.test('assignment stays within the groups the caller works in', async (t) => {
  const app = await buildTestApp(t, quickSandbox)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const support = await sandboxSender(app, account)
  const salesGroup = await created(api('POST', '/groups', { name: 'Sales' }))
  const sales = await sandboxSender(app, account, { groupId: salesGroup.id })
  const sam = await createTestUser(app, account.accountId, 'Sender')
  const sally = await createTestUser(app, account.accountId, 'Sender')
  const bob = await createTestUser(app, account.accountId, 'Sender')
  await created(api('PUT', `/groups/${support.groupId}/users/${sam.userId}`))
  await created(api('PUT', `/groups/${sales.groupId}/users/${sally.userId}`))
  for (const groupId of [support.groupId, sales.groupId])
    await created(api('PUT', `/groups/${groupId}/users/${bob.userId}`))

  const contactNumber = '+12025557001'
  const inbound = async (to: string) =>
    (await created(api('POST', '/sandbox/inbound', { from: contactNumber, to, message: 'Hello' }))).message
  const inSupport = (await inbound(support.number)).conversation.id as string
  const inSales = (await inbound(sales.number)).conversation.id as string
  const contactId = (await created(api('GET', `/conversations/${inSupport}`))).contact.id as string

  const assign = (id: string, userId: string | null, headers: Record<string, string>) =>
    api('PUT', `/conversations/${id}/assignee`, { userId }, headers)
  const assigneeOf = async (id: string, headers = account.headers) =>
    (await created(api('GET', `/conversations/${id}`, undefined, headers))).assignedUser?.id ?? null
  const ids = async (query: string, headers = account.headers) =>
    (await created(api('GET', `/conversations${query}`, undefined, headers))).map((row: { id: string }) => row.id)
  const contactAssignee = async () => (await created(api('GET', `/contacts/${contactId}`))).assignedUser?.id ?? null

  t.test("assigning in one group shows nothing in the other, whose members are not the assignee's", async (t) => {
    t.equal((await created(assign(inSupport, sam.userId, sam.headers))).assignedUser.id, sam.userId)
    t.equal(await contactAssignee(), sam.userId, "the contact's assigned user is set, as imports set it")
    t.equal(await assigneeOf(inSales, sally.headers), null, 'Sales sees no assignee: Sam is not one of its members')
    t.equal(await assigneeOf(inSales), null, 'nor does an account-wide credential, through Sales')
    t.same(await ids('?assignedUserId=none', sally.headers), [inSales])
    t.same(await ids(`?assignedUserId=${sam.userId}`, sally.headers), [], "Sales' filter finds no conversation of Sam")
    t.same(await ids(`?assignedUserId=${sam.userId}`), [inSupport], 'across all groups only the Support one')
    t.same(await ids('?assignedUserId=me', sam.headers), [inSupport])
    t.equal((await api('GET', `/conversations/${inSales}`, undefined, sam.headers)).status, 404)
    t.equal((await assign(inSales, sam.userId, sam.headers)).status, 404, 'Sam cannot assign through Sales')
  })

  t.test("a Sender of one group cannot unassign another group's assignee by reassigning", async (t) => {
    const { status, body } = await assign(inSales, sally.userId, sally.headers)
    t.equal(status, 403)
    t.equal(body.success, false)
    t.equal(body.error.code, 'CONV-005')
    t.equal(await assigneeOf(inSupport, sam.headers), sam.userId, 'Support still shows Sam')
    t.equal(await contactAssignee(), sam.userId, 'the contact is unchanged')
  })

  t.test('once Support lets go, Sales assigns within Sales only', async (t) => {
    t.equal((await created(assign(inSupport, null, sam.headers))).assignedUser, null)
    t.equal((await created(assign(inSales, sally.userId, sally.headers))).assignedUser.id, sally.userId)
    t.equal(await assigneeOf(inSupport, sam.headers), null, 'Sally is not a member of Support')
    t.same(await ids('?assignedUserId=none', sam.headers), [inSupport])
    t.same(await ids('?assignedUserId=me', sally.headers), [inSales])
  })

  t.test('an assignee who is a member of both groups shows in both, so only someone in both sets them', async (t) => {
    const refused = await assign(inSupport, bob.userId, sam.headers)
    t.equal(refused.status, 403, 'Sam assigning Bob would unassign Sally in Sales and show Bob there')
    t.equal(refused.body.error.code, 'CONV-005')
    t.equal(await assigneeOf(inSales, sally.headers), sally.userId)
    await created(assign(inSupport, bob.userId, bob.headers))
    t.equal(await assigneeOf(inSupport, sam.headers), bob.userId)
    t.equal(await assigneeOf(inSales, sally.headers), bob.userId)
    const unassign = await assign(inSupport, null, sam.headers)
    t.equal(unassign.status, 403, 'Sam unassigning would unassign Bob in Sales too')
    t.equal(unassign.body.error.code, 'CONV-005')
    t.equal(await assigneeOf(inSales, sally.headers), bob.userId)
    t.equal(
      (await created(assign(inSupport, null, account.headers))).assignedUser,
      null,
      'the account-wide credential works everywhere'
    )
    t.equal(await assigneeOf(inSales, sally.headers), null)
  })

  t.test(
    "the contact's assignee set by the contacts API shows only in the groups the user is a member of",
    async (t) => {
      await created(api('PUT', `/contacts/${contactId}`, { assignedUser: { id: sam.userId } }))
      t.equal(await assigneeOf(inSupport, sam.headers), sam.userId)
      t.equal(await assigneeOf(inSales, sally.headers), null)
      t.same(await ids('?assignedUserId=none', sally.headers), [inSales])
    }
  )
})
