import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'

// Without PARLEY_SMTP_URL mail is kept, and an Administrator reads it through GET …/mail.
t.test('with no SMTP server, mail is kept for Administrators to read', async (t) => {
  const app = await buildTestApp(t, { ...quickSandbox, PARLEY_PUBLIC_URL: 'https://sms.example.org/parley/' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const support = await sandboxSender(app, account)
  const alice = await createTestUser(app, account.accountId, 'Sender')
  const bob = await createTestUser(app, account.accountId, 'Sender')
  const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
  for (const user of [alice, bob]) await created(api('PUT', `/groups/${support.groupId}/users/${user.userId}`))
  const conversationWith = async (number: string) =>
    (await created(api('POST', '/messages', { contacts: [{ mobile: { number } }], template: 'Hi' }))).messages[0]
      .conversation.id as string
  const first = await conversationWith('+12025557201')
  const second = await conversationWith('+12025557202')
  const mailCount = async () => (await api('GET', '/mail')).body.pagination.totalCount as number

  t.test("a sender's registration completing is kept as mail to each Administrator", async (t) => {
    const number = uniqueNumber()
    const sender = await created(api('POST', '/senders', { number, status: 'unverified' }))
    await created(api('PUT', `/senders/${sender.id}/status`, { status: 'pending' }))
    t.equal(await mailCount(), 0, 'only completion mails')
    await created(api('PUT', `/senders/${sender.id}/status`, { status: 'active' }))
    const { status, body } = await api('GET', '/mail')
    t.equal(status, 200)
    t.match(body.pagination, { offset: 0, limit: 10, totalCount: 1, hasNext: false })
    const admin = await created(api('GET', `/users/${account.adminUserId}`))
    const [mail] = body.data
    t.match(mail, {
      id: String,
      to: admin.email,
      kind: 'sender-registered',
      subject: `Sender ${number} is registered and can send`,
      status: 'kept',
      attempts: 0,
      lastError: null,
      createdAt: String,
      sentAt: null
    })
    t.match(mail.text, `Hello Ada Admin,\n\nThe carrier registration of sender ${number} is complete`)
    t.match(mail.text, 'It is in no group yet')
    t.match(mail.text, 'Open the inbox: https://sms.example.org/parley/inbox\n', 'links use PARLEY_PUBLIC_URL')
    t.match(mail.html, '<a href="https:&#x2F;&#x2F;sms.example.org&#x2F;parley&#x2F;inbox">Open the inbox</a>')
    t.same(await created(api('GET', `/mail/${mail.id}`)), mail, 'one mail by its id')
    const jobs = await app.db
      .selectFrom('pgboss.job' as never)
      .select('name' as never)
      .where('name' as never, '=', 'mail-send' as never)
      .execute()
    t.equal(jobs.length, 0, 'no send task: there is nowhere to send it')
  })

  t.test('assigning a conversation mails the assignee who chose it, when someone else assigned it', async (t) => {
    const before = await mailCount()
    const off = await api(
      'PUT',
      `/users/${alice.userId}/mail-preferences`,
      { notifyOnAssignment: false },
      alice.headers
    )
    t.equal(off.status, 200, 'a user sets their own preference')
    t.equal(off.body.data.notifyOnAssignment, false)
    t.equal((await created(api('GET', `/users/${alice.userId}`))).notifyOnAssignment, false, 'and reads it back')
    t.equal((await created(api('GET', `/users/${bob.userId}`))).notifyOnAssignment, true, 'on by default')

    await created(api('PUT', `/conversations/${first}/assignee`, { userId: alice.userId }))
    t.equal(await mailCount(), before, 'alice turned it off')
    await created(api('PUT', `/conversations/${first}/assignee`, { userId: bob.userId }, bob.headers))
    t.equal(await mailCount(), before, 'bob assigned himself')
    await created(api('PUT', `/conversations/${second}/assignee`, { userId: bob.userId }, alice.headers))
    t.equal(await mailCount(), before + 1, 'alice assigned bob')
    await created(api('PUT', `/conversations/${second}/assignee`, { userId: bob.userId }))
    t.equal(await mailCount(), before + 1, 'assigning him again is no news')
    const refused = await api('PUT', `/conversations/${second}/assignee`, { userId: manager.userId })
    t.equal(refused.body.error.code, 'CONV-003')
    t.equal(await mailCount(), before + 1, 'a refused assignment mails no one')

    const [mail] = await created(api('GET', '/mail?kind=conversation-assigned&status=kept'))
    t.match(mail, {
      to: bob.email,
      kind: 'conversation-assigned',
      subject: 'Test Sender assigned you the conversation with +12025557202',
      status: 'kept'
    })
    t.match(mail.text, `Open the conversation: https://sms.example.org/parley/inbox/conversations/${second}\n`)
    t.match(mail.html, `inbox&#x2F;conversations&#x2F;${second}">Open the conversation</a>`)
  })

  t.test('assigning a contact mails the assignee the same way', async (t) => {
    const [contact] = await created(
      api('POST', '/contacts', { mobile: { number: '+12025557203' }, firstName: 'Ann', lastName: 'Lee' })
    )
    const before = await mailCount()
    await created(api('PUT', `/contacts/${contact.id}`, { assignedUser: { id: bob.userId } }, bob.headers))
    t.equal(await mailCount(), before, 'bob assigned himself')
    await created(api('PUT', `/contacts/${contact.id}`, { firstName: 'Anne' }))
    t.equal(await mailCount(), before, 'a change that keeps the assignee is no news')
    await created(api('PUT', `/contacts/${contact.id}`, { assignedUser: { email: alice.email } }))
    t.equal(await mailCount(), before, 'alice turned it off')
    await created(api('PUT', `/contacts/${contact.id}`, { assignedUser: { email: manager.email } }))
    t.equal(await mailCount(), before + 1)
    const [mail] = await created(api('GET', '/mail?kind=contact-assigned'))
    t.match(mail, { to: manager.email, subject: 'API client assigned you Anne Lee', status: 'kept' })
    t.match(mail.text, `Open the contact: https://sms.example.org/parley/inbox/contacts/${contact.id}\n`)
    const refused = await api('PUT', `/contacts/${contact.id}`, { assignedUser: { email: 'nobody@example.com' } })
    t.equal(refused.status, 400)
    t.equal(await mailCount(), before + 1, 'a refused change mails no one')
  })

  t.test('mail preferences: the user themself or an Administrator; bad input changes nothing', async (t) => {
    const other = await api(
      'PUT',
      `/users/${bob.userId}/mail-preferences`,
      { notifyOnAssignment: false },
      alice.headers
    )
    t.equal(other.status, 403)
    t.equal(other.body.error.code, 'ACCT-016')
    const byAdmin = await api('PUT', `/users/${bob.userId}/mail-preferences`, { notifyOnAssignment: false })
    t.equal(byAdmin.body.data.notifyOnAssignment, false, 'an Administrator sets anyone’s')
    await created(api('PUT', `/users/${bob.userId}/mail-preferences`, { notifyOnAssignment: true }, bob.headers))
    for (const body of [{}, { notifyOnAssignment: 'sometimes' }, { notifyOnAssignment: 42 }, []]) {
      const bad = await api('PUT', `/users/${bob.userId}/mail-preferences`, body)
      t.equal(bad.status, 400, JSON.stringify(body))
      t.equal(bad.body.error.code, 'REQ-001')
    }
    t.equal((await created(api('GET', `/users/${bob.userId}`))).notifyOnAssignment, true, 'unchanged')
    const unknown = await api('PUT', '/users/nobody/mail-preferences', { notifyOnAssignment: false })
    t.equal(unknown.status, 404)
    t.equal(unknown.body.error.code, 'USER-001')
  })

  t.test('only Administrators read mail; bad queries and unknown ids answer in the envelope', async (t) => {
    const [mail] = await created(api('GET', '/mail'))
    for (const user of [alice, manager]) {
      for (const path of ['/mail', `/mail/${mail.id}`]) {
        const { status, body } = await api('GET', path, undefined, user.headers)
        t.equal(status, 403, path)
        t.equal(body.error.code, 'ACCT-016')
      }
    }
    const missing = await api('GET', '/mail/nothing-here')
    t.equal(missing.status, 404)
    t.match(missing.body, { success: false, error: { code: 'MAIL-001', message: 'Mail not found' } })
    for (const query of ['status=lost', 'kind=newsletter', 'limit=0', 'limit=101', 'offset=-1']) {
      const { status, body } = await api('GET', `/mail?${query}`)
      t.equal(status, 400, query)
      t.equal(body.error.code, 'REQ-001')
    }
    const page = await api('GET', '/mail?limit=1&offset=1')
    t.match(page.body.pagination, { offset: 1, limit: 1, totalCount: 3, hasNext: true })
    t.same((await created(api('GET', '/mail?status=sent'))).length, 0, 'nothing is sent without an SMTP server')

    const elsewhere = await createTestAccount(app)
    const theirs = caller(app, elsewhere)
    t.equal((await theirs('GET', `/mail/${mail.id}`)).status, 404, "another account's mail is not found")
    t.equal((await theirs('GET', '/mail')).body.pagination.totalCount, 0)
  })
})
