import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'

t.test('custom attribute definitions and contact values', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const { headers } = account
  const attributes = `/v1/accounts/${account.accountId}/attributes`
  const contacts = `/v1/accounts/${account.accountId}/contacts`
  const define = (payload: object) => app.inject({ method: 'POST', url: `${attributes}/contacts`, headers, payload })

  t.test('define, list, fetch, update', async (t) => {
    const created = await define({ name: 'jobTitle', label: 'Job title', dataType: 'text' })
    t.equal(created.statusCode, 201)
    t.match(created.json().data, {
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
      t.equal((await define({ name, dataType })).statusCode, 201)
    }
    const all = (await app.inject({ url: attributes, headers })).json()
    t.equal(all.pagination.totalCount, 4)
    t.same(
      all.data.map((a: { name: string }) => a.name),
      ['jobTitle', 'score', 'birthday', 'member']
    )
    t.equal((await app.inject({ url: `${attributes}/contacts?limit=2`, headers })).json().data.length, 2)

    const id = created.json().data.id
    t.equal((await app.inject({ url: `${attributes}/contacts/${id}`, headers })).json().data.label, 'Job title')
    const relabelled = await app.inject({
      method: 'PUT',
      url: `${attributes}/contacts/${id}`,
      headers,
      payload: { label: 'Role' }
    })
    t.equal(relabelled.json().data.label, 'Role')

    const duplicate = await define({ name: 'JOBTITLE' })
    t.equal(duplicate.statusCode, 409)
    t.equal(duplicate.json().error.code, 'ATTR-004')
    const reserved = await define({ name: 'email' })
    t.equal(reserved.json().error.code, 'ATTR-006')
    const badType = await define({ name: 'x', dataType: 'color' })
    t.equal(badType.statusCode, 400)
    t.match(badType.json().error.message, /dataType/)
  })

  t.test('contact values are checked against their definition', async (t) => {
    const good = await app.inject({
      method: 'POST',
      url: contacts,
      headers,
      payload: {
        mobile: { number: '+12025550101', country: 'US' },
        attributes: { jobTitle: 'mover', score: '42.5', birthday: '1990-02-28', member: 'yes' }
      }
    })
    t.equal(good.statusCode, 201)
    t.same(
      good.json().data[0].attributes,
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
      const bad = await app.inject({
        method: 'POST',
        url: contacts,
        headers,
        payload: { mobile: { number: '+12025550102', country: 'US' }, attributes: values }
      })
      t.equal(bad.statusCode, 400, JSON.stringify(values))
      t.equal(bad.json().error.code, code)
      t.match(bad.json().error.message, message)
    }
    t.equal(
      (await app.inject({ url: `${contacts}?mobile=5550102`, headers })).json().pagination.totalCount,
      0,
      'nothing was written'
    )
  })

  t.test('a definition in use cannot be renamed, retyped or deleted unless values are removed too', async (t) => {
    const score = (await app.inject({ url: `${attributes}/contacts`, headers }))
      .json()
      .data.find((a: { name: string }) => a.name === 'score')
    const retype = await app.inject({
      method: 'PUT',
      url: `${attributes}/contacts/${score.id}`,
      headers,
      payload: { dataType: 'text' }
    })
    t.equal(retype.statusCode, 409)
    t.equal(retype.json().error.code, 'ATTR-005')
    const refused = await app.inject({ method: 'DELETE', url: `${attributes}/contacts/${score.id}`, headers })
    t.equal(refused.statusCode, 409)
    t.match(refused.json().error.message, /1 contact/)

    const removed = await app.inject({
      method: 'DELETE',
      url: `${attributes}/contacts/${score.id}?removeValues=true`,
      headers
    })
    t.equal(removed.statusCode, 200)
    const contact = (await app.inject({ url: `${contacts}?mobile=5550101`, headers })).json().data[0]
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
    t.equal((await app.inject({ url: `${attributes}/contacts/${score.id}`, headers })).json().error.code, 'ATTR-003')
  })

  t.test('definitions are per account and need Administrator or Campaign Manager to change', async (t) => {
    const other = await createTestAccount(app)
    t.equal(
      (await app.inject({ url: `/v1/accounts/${other.accountId}/attributes`, headers: other.headers })).json()
        .pagination.totalCount,
      0
    )
    const someId = (await app.inject({ url: attributes, headers })).json().data[0].id
    t.equal(
      (
        await app.inject({
          url: `/v1/accounts/${other.accountId}/attributes/contacts/${someId}`,
          headers: other.headers
        })
      ).statusCode,
      404
    )

    const sender = await createTestUser(app, account.accountId, 'Sender')
    t.equal((await app.inject({ url: attributes, headers: sender.headers })).statusCode, 200)
    const refused = await app.inject({
      method: 'POST',
      url: `${attributes}/contacts`,
      headers: sender.headers,
      payload: { name: 'other' }
    })
    t.equal(refused.json().error.code, 'ACCT-016')
    const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
    t.equal(
      (
        await app.inject({
          method: 'POST',
          url: `${attributes}/contacts`,
          headers: manager.headers,
          payload: { name: 'other' }
        })
      ).statusCode,
      201
    )
  })
})
