import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'

t.test('lists', async (t) => {
  const app = await buildTestApp(t, quickSandbox)

  async function contactsOf(api: ReturnType<typeof caller>) {
    const byName = new Map<string, string>()
    for (const [index, firstName] of ['Ann', 'Bob', 'Cyd', 'Dee'].entries()) {
      const [contact] = await created(
        api('POST', '/contacts', {
          firstName,
          mobile: { number: `+1202555010${index + 1}`, country: 'US' },
          ...(index < 2 ? { tags: [{ tag: 'vip' }] } : {})
        })
      )
      byName.set(firstName, contact.id)
    }
    return byName
  }

  t.test('a static list: members by id, counts, removal, and the same shape in every answer', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const ids = await contactsOf(api)
    const create = await api('POST', '/lists', { name: 'Friends', contacts: [ids.get('Ann'), ids.get('Cyd')] })
    t.equal(create.status, 201)
    t.match(create.body.data, { name: 'Friends', type: 'static', filter: null, counts: { total: 2, valid: 2 } })
    const listId = create.body.data.id
    const added = await created(
      api('POST', `/lists/${listId}/contacts`, { contacts: [ids.get('Ann'), ids.get('Dee')] })
    )
    t.same(added, { added: 1, counts: { total: 3, valid: 3 } }, 'a member already there is not added twice')
    await created(api('POST', `/contacts/${ids.get('Dee')}/block`))
    t.match(await created(api('GET', `/lists/${listId}`)), { counts: { total: 3, valid: 2 } })
    t.equal((await api('DELETE', `/lists/${listId}/contacts/${ids.get('Cyd')}`)).status, 200)
    t.equal((await api('DELETE', `/lists/${listId}/contacts/${ids.get('Cyd')}`)).body.error.code, 'LIST-004')
    const members = await api('GET', `/lists/${listId}/contacts`)
    t.same(members.body.data.map((contact: { firstName: string }) => contact.firstName).sort(), ['Ann', 'Dee'])
    t.equal(members.body.pagination.totalCount, 2)
    const unknown = await api('POST', `/lists/${listId}/contacts`, { contacts: ['nope'] })
    t.equal(unknown.status, 404)
    t.equal(unknown.body.error.code, 'CONT-002')
    const renamed = await created(api('PUT', `/lists/${listId}`, { name: 'Pals' }))
    t.equal(renamed.name, 'Pals')
    t.equal((await api('PUT', `/lists/${listId}`, { filter: { q: 'a' } })).body.error.code, 'LIST-002')
    const page = await api('GET', '/lists?name=pal')
    t.equal(page.body.pagination.totalCount, 1)
    t.equal((await api('DELETE', `/lists/${listId}`)).status, 200)
    t.equal((await api('GET', `/lists/${listId}`)).body.error.code, 'LIST-001')
    t.equal((await created(api('GET', '/contacts'))).length, 4, 'deleting a list keeps its contacts')
  })

  t.test('a dynamic list is whoever its filter matches at the time of use', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const ids = await contactsOf(api)
    const list = await created(api('POST', '/lists', { name: 'VIPs', filter: { tags: ['vip'], valid: true } }))
    t.match(list, { type: 'dynamic', filter: { tags: ['vip'], valid: true }, counts: { total: 2, valid: 2 } })
    await created(api('POST', `/contacts/${ids.get('Bob')}/block`))
    t.match(await created(api('GET', `/lists/${list.id}`)), { counts: { total: 1, valid: 1 } })
    const byName = await created(api('PUT', `/lists/${list.id}`, { filter: { q: 'cy' } }))
    t.match(byName, { counts: { total: 1 } })
    const refused = await api('POST', `/lists/${list.id}/contacts`, { contacts: [ids.get('Ann')] })
    t.equal(refused.status, 409)
    t.equal(refused.body.error.code, 'LIST-003')
    t.equal((await api('POST', '/lists', { name: 'x', filter: { q: 'a' }, contacts: [] })).body.error.code, 'LIST-002')
  })

  t.test(
    'a send to filters.list reaches exactly the list, and only Administrators and Campaign Managers write lists',
    async (t) => {
      const account = await createTestAccount(app)
      const api = caller(app, account)
      await sandboxSender(app, account)
      const ids = await contactsOf(api)
      const list = await created(api('POST', '/lists', { name: 'Two', contacts: [ids.get('Bob'), ids.get('Dee')] }))
      const sent = await created(
        api('POST', '/messages', { filters: { list: list.id }, template: 'Hello {{{firstName}}}' })
      )
      t.match(sent, { requested: 2, valid: 2 })
      t.same(sent.messages.map((message: { message: string }) => message.message).sort(), ['Hello Bob', 'Hello Dee'])
      const narrowed = await created(
        api('POST', '/messages', { filters: { list: list.id, tags: ['vip'] }, template: 'Only VIPs {{{firstName}}}' })
      )
      t.same(
        narrowed.messages.map((message: { message: string }) => message.message),
        ['Only VIPs Bob'],
        'tags narrow the list'
      )
      const missing = await api('POST', '/messages', { filters: { list: 'nope' }, template: 'x' })
      t.equal(missing.status, 404)
      t.equal(missing.body.error.code, 'LIST-001')

      const sender = await createTestUser(app, account.accountId, 'Sender')
      const refused = await caller(app, { accountId: account.accountId, headers: sender.headers })('POST', '/lists', {
        name: 'Mine'
      })
      t.equal(refused.status, 403)
      t.equal(refused.body.error.code, 'ACCT-016')
      const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
      const allowed = await caller(app, { accountId: account.accountId, headers: manager.headers })('POST', '/lists', {
        name: 'Theirs'
      })
      t.equal(allowed.status, 201)

      const other = await createTestAccount(app)
      t.equal((await caller(app, other)('GET', `/lists/${list.id}`)).body.error.code, 'LIST-001')
    }
  )
})
