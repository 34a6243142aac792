import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('custom attribute definitions and contact values', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const attributes = '/attributes'
  const contacts = '/contacts'
  const define = (payload: object) => api('POST', `${attributes}/contacts`, payload)

  t.test('define, list, fetch, update', async (t) => {
    const created = await define({ name: 'jobTitle', label: 'Job title', dataType: 'text' })
    t.equal(created.status, 201)
    t.match(created.body.data, {
      id: String,
      name: 'jobTitle',
      label: 'Job title',
      type: 'contacts',
      dataType: 'text',
      created: { by: { id: account.clientId } }
    })
    for (const [name, dataType] of [
      ['score', 'number'],
      ['birthday', 'date'],
      ['member', 'boolean']
    ]) {
      t.equal((await define({ name, dataType })).status, 201)
    }
    const all = (await api('GET', attributes)).body
    t.equal(all.pagination.totalCount, 4)
    t.same(
      all.data.map((a: { name: string }) => a.name),
      ['jobTitle', 'score', 'birthday', 'member']
    )
    t.equal((await api('GET', `${attributes}/contacts?limit=2`)).body.data.length, 2)

    const id = created.body.data.id
    t.equal((await api('GET', `${attributes}/contacts/${id}`)).body.data.label, 'Job title')
    const relabelled = await api('PUT', `${attributes}/contacts/${id}`, { label: 'Role' })
    t.equal(relabelled.body.data.label, 'Role')

    const duplicate = await define({ name: 'JOBTITLE' })
    t.equal(duplicate.status, 409)
    t.equal(duplicate.body.error.code, 'ATTR-004')
    const reserved = await define({ name: 'email' })
    t.equal(reserved.body.error.code, 'ATTR-006')
    const badType = await define({ name: 'x', dataType: 'color' })
    t.equal(badType.status, 400)
    t.match(badType.body.error.message, /dataType/)
  })

  t.test('contact values are checked against their definition', async (t) => {
    const good = await api('POST', contacts, {
      mobile: { number: '+12025550101', country: 'US' },
      attributes: { jobTitle: 'mover', score: '42.5', birthday: '1990-02-28', member: 'yes' }
    })
    t.equal(good.status, 201)
    t.same(
      good.body.data[0].attributes,
      { jobTitle: 'mover', score: 42.5, birthday: '1990-02-28', member: true },
      'values are stored typed'
    )

    const cases: [object, string, RegExp][] = [
      [{ nickname: 'x' }, 'ATTR-001', /attributes\.nickname is not a defined/],
      [{ score: 'lots' }, 'ATTR-002', /score must be a number/],
      [{ birthday: '1990-02-30' }, 'ATTR-002', /birthday must be an ISO-8601 date/],
      [{ member: 'maybe' }, 'ATTR-002', /member must be true or false/]
    ]
    for (const [values, code, message] of cases) {
      const bad = await api('POST', contacts, {
        mobile: { number: '+12025550102', country: 'US' },
        attributes: values
      })
      t.equal(bad.status, 400, JSON.stringify(values))
      t.equal(bad.body.error.code, code)
      t.match(bad.body.error.message, message)
    }
    t.equal((await api('GET', `${contacts}?mobile=5550102`)).body.pagination.totalCount, 0, 'nothing was written')
  })

  t.test('a definition in use cannot be renamed, retyped or deleted unless values are removed too', async (t) => {
    const score = (await api('GET', `${attributes}/contacts`)).body.data.find(
      (a: { name: string }) => a.name === 'score'
    )
    const retype = await api('PUT', `${attributes}/contacts/${score.id}`, { dataType: 'text' })
    t.equal(retype.status, 409)
    t.equal(retype.body.error.code, 'ATTR-005')
    const refused = await api('DELETE', `${attributes}/contacts/${score.id}`)
    t.equal(refused.status, 409)
    t.match(refused.body.error.message, /1 contact/)

    const removed = await api('DELETE', `${attributes}/contacts/${score.id}?removeValues=true`)
    t.equal(removed.status, 200)
    const contact = (await api('GET', `${contacts}?mobile=5550101`)).body.data[0]
    t.same(
      contact.attributes,
      { jobTitle: 'mover', birthday: '1990-02-28', member: true },
      'the values went with the definition'
    )
    const [event] = await app.db
      .selectFrom('events')
      .select(['event_type', 'payload'])
      .where('account_id', '=', account.accountId)
      .orderBy('seq', 'desc')
      .limit(1)
      .execute()
    t.match(
      event,
      {
        event_type: 'contact-updated',
        payload: { id: contact.id, attributes: contact.attributes, updated: { by: { id: account.clientId } } }
      },
      "the contact's change is an event"
    )
    t.equal((await api('GET', `${attributes}/contacts/${score.id}`)).body.error.code, 'ATTR-003')
  })

  t.test('definitions are per account and need Administrator or Campaign Manager to change', async (t) => {
    const other = await createTestAccount(app)
    t.equal((await caller(app, other)('GET', '/attributes')).body.pagination.totalCount, 0)
    const someId = (await api('GET', attributes)).body.data[0].id
    t.equal((await caller(app, other)('GET', `/attributes/contacts/${someId}`)).status, 404)

    const sender = await createTestUser(app, account.accountId, 'Sender')
    t.equal((await api('GET', attributes, undefined, sender.headers)).status, 200)
    const refused = await api('POST', `${attributes}/contacts`, { name: 'other' }, sender.headers)
    t.equal(refused.body.error.code, 'ACCT-016')
    const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
    t.equal((await api('POST', `${attributes}/contacts`, { name: 'other' }, manager.headers)).status, 201)
  })
})
