import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'

t.test('templates', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const other = await createTestAccount(app)
  const base = `/v1/accounts/${account.accountId}/templates`

  async function create(payload: Record<string, unknown>, headers = account.headers) {
    return await app.inject({ method: 'POST', url: base, headers, payload })
  }
  async function stored(id: string) {
    return await app.db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst()
  }

  t.test("Sakari's create example works verbatim and answers a one-item list", async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: base,
      headers: { ...account.headers, 'content-type': 'application/json' },
      payload:
        '{\n  "name": "Test Template",\n  "template": "Hi {{ firstName }}, Welcome to Sakari!",\n  "type": "SMS"\n}'
    })
    t.equal(response.statusCode, 201)
    const body = response.json()
    t.equal(body.success, true)
    t.same(body.pagination, { offset: 0, limit: 1, totalCount: 1, hasNext: false })
    t.equal(body.data.length, 1)
    const [template] = body.data
    t.match(template, {
      name: 'Test Template',
      type: 'SMS',
      template: 'Hi {{ firstName }}, Welcome to Sakari!',
      media: []
    })
    t.match(template.created, { at: String, by: { id: account.clientId, source: 'api' } })
    t.same(template.updated, template.created)
    const row = await stored(template.id)
    t.equal(row?.account_id, account.accountId)
    t.equal(row?.template, 'Hi {{ firstName }}, Welcome to Sakari!')
  })

  t.test(
    'type defaults to SMS; media keeps url, type, name and filename; unknown properties are ignored',
    async (t) => {
      const media = [
        { url: 'https://example.com/shoe.png', type: 'image/png', name: 'Shoe', filename: 'shoe.png', size: 12 }
      ]
      const response = await create({ name: 'With media', template: 'Look {{{firstName}}}', media, colour: 'red' })
      t.equal(response.statusCode, 201)
      const [template] = response.json().data
      t.equal(template.type, 'SMS')
      t.same(template.media, [
        { url: 'https://example.com/shoe.png', type: 'image/png', name: 'Shoe', filename: 'shoe.png' }
      ])
      t.notOk('colour' in template)
      t.same((await stored(template.id))?.media, template.media)
      const web = await create({ name: 'Web one', template: 'Hello', type: 'Web' })
      t.equal(web.json().data[0].type, 'Web')
    }
  )

  t.test('invalid bodies are 400 and name the field', async (t) => {
    const noName = await create({ template: 'Hi' })
    t.equal(noName.statusCode, 400)
    t.same(noName.json().error, { code: 'REQ-001', message: 'body.name is required' })
    const noText = await create({ name: 'x' })
    t.equal(noText.json().error.message, 'body.template is required')
    const badType = await create({ name: 'x', template: 'Hi', type: 'MMS' })
    t.equal(badType.statusCode, 400)
    t.match(badType.json().error.message, /^body\.type/)
    const badMedia = await create({ name: 'x', template: 'Hi', media: [{ type: 'image/png' }] })
    t.equal(badMedia.json().error.message, 'body.media.0.url is required')
    const emptyText = await create({ name: 'x', template: '' })
    t.match(emptyText.json().error.message, /^body\.template/)
  })

  t.test('a template with a syntax error is refused with TMPL-002', async (t) => {
    const before = await app.db
      .selectFrom('templates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    const response = await create({ name: 'Broken', template: 'Hi {{firstName' })
    t.equal(response.statusCode, 400)
    t.same(response.json(), {
      success: false,
      error: { code: 'TMPL-002', message: 'body.template has a syntax error: Unclosed tag at 14' }
    })
    const section = await create({ name: 'Broken', template: '{{#vip}}Hello' })
    t.equal(section.json().error.code, 'TMPL-002')
    const after = await app.db
      .selectFrom('templates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    t.equal(after.n, before.n, 'nothing was stored')
  })

  t.test('fetch by id; a missing or foreign id is TMPL-001', async (t) => {
    const [created] = (await create({ name: 'Fetch me', template: 'Hi' })).json().data
    const fetched = await app.inject({ url: `${base}/${created.id}`, headers: account.headers })
    t.equal(fetched.statusCode, 200)
    t.same(fetched.json(), { success: true, data: created })

    const missing = await app.inject({ url: `${base}/nope`, headers: account.headers })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().error.code, 'TMPL-001')

    const foreign = await app.inject({
      url: `/v1/accounts/${other.accountId}/templates/${created.id}`,
      headers: other.headers
    })
    t.equal(foreign.statusCode, 404)
    t.same(foreign.json(), { success: false, error: { code: 'TMPL-001', message: `Template ${created.id} not found` } })
  })

  t.test('update changes the fields given and keeps the others', async (t) => {
    const [created] = (
      await create({ name: 'Promo', template: 'Old {{{firstName}}}', media: [{ url: 'https://example.com/a.png' }] })
    ).json().data
    const response = await app.inject({
      method: 'PUT',
      url: `${base}/${created.id}`,
      headers: account.headers,
      payload: { template: 'New {{{contact.firstName}}}' }
    })
    t.equal(response.statusCode, 200)
    const updated = response.json().data
    t.match(updated, {
      id: created.id,
      name: 'Promo',
      type: 'SMS',
      template: 'New {{{contact.firstName}}}',
      media: [{ url: 'https://example.com/a.png' }]
    })
    t.same(updated.created, created.created)
    t.ok(updated.updated.at >= created.updated.at)
    t.equal((await stored(created.id))?.template, 'New {{{contact.firstName}}}')

    const full = await app.inject({
      method: 'PUT',
      url: `${base}/${created.id}`,
      headers: account.headers,
      payload: { name: 'Test Template', template: 'Hi {{ firstName }}, Welcome to Sakari!', type: 'Web', media: [] }
    })
    t.match(full.json().data, { name: 'Test Template', type: 'Web', media: [] })
  })

  t.test('update refuses a syntax error and leaves the template as it was', async (t) => {
    const [created] = (await create({ name: 'Keep', template: 'Fine {{{firstName}}}' })).json().data
    const response = await app.inject({
      method: 'PUT',
      url: `${base}/${created.id}`,
      headers: account.headers,
      payload: { template: '{{/x}}' }
    })
    t.equal(response.statusCode, 400)
    t.equal(response.json().error.code, 'TMPL-002')
    t.equal((await stored(created.id))?.template, 'Fine {{{firstName}}}')
  })

  t.test('update of a missing or foreign template is TMPL-001 and changes nothing', async (t) => {
    const [created] = (await create({ name: 'Mine', template: 'Hi' })).json().data
    const missing = await app.inject({
      method: 'PUT',
      url: `${base}/nope`,
      headers: account.headers,
      payload: { name: 'x' }
    })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().error.code, 'TMPL-001')
    const foreign = await app.inject({
      method: 'PUT',
      url: `/v1/accounts/${other.accountId}/templates/${created.id}`,
      headers: other.headers,
      payload: { name: 'Stolen' }
    })
    t.equal(foreign.statusCode, 404)
    t.equal((await stored(created.id))?.name, 'Mine')
  })

  t.test('delete', async (t) => {
    const [created] = (await create({ name: 'Doomed', template: 'Bye' })).json().data
    const foreign = await app.inject({
      method: 'DELETE',
      url: `/v1/accounts/${other.accountId}/templates/${created.id}`,
      headers: other.headers
    })
    t.equal(foreign.statusCode, 404)
    t.ok(await stored(created.id), 'another account cannot delete it')

    const removed = await app.inject({ method: 'DELETE', url: `${base}/${created.id}`, headers: account.headers })
    t.equal(removed.statusCode, 200)
    t.same(removed.json(), { success: true })
    t.notOk(await stored(created.id))
    const again = await app.inject({ method: 'DELETE', url: `${base}/${created.id}`, headers: account.headers })
    t.equal(again.statusCode, 404)
    t.equal(again.json().error.code, 'TMPL-001')
    t.equal((await app.inject({ url: `${base}/${created.id}`, headers: account.headers })).statusCode, 404)
  })
})

t.test('listing: pagination, name filter, account isolation', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const other = await createTestAccount(app)
  const base = `/v1/accounts/${account.accountId}/templates`
  const names = ['Welcome', 'Spring sale', 'SALE reminder', '100% off', 'Follow-up', 'Wholesale']
  for (const name of names) {
    const response = await app.inject({
      method: 'POST',
      url: base,
      headers: account.headers,
      payload: { name, template: `${name} text` }
    })
    t.equal(response.statusCode, 201)
  }
  await app.inject({
    method: 'POST',
    url: `/v1/accounts/${other.accountId}/templates`,
    headers: other.headers,
    payload: { name: 'Other sale', template: 'x' }
  })

  const list = async (query: string) => (await app.inject({ url: `${base}?${query}`, headers: account.headers })).json()

  const all = await list('')
  t.equal(all.data.length, 6)
  t.same(all.pagination, { offset: 0, limit: 10, totalCount: 6, hasNext: false })
  t.same(
    all.data.map((template: { name: string }) => template.name),
    names,
    'oldest first'
  )

  const page = await list('offset=2&limit=2')
  t.same(
    page.data.map((template: { name: string }) => template.name),
    ['SALE reminder', '100% off']
  )
  t.same(page.pagination, { offset: 2, limit: 2, totalCount: 6, hasNext: true })

  const sale = await list('name=sale')
  t.same(
    sale.data.map((template: { name: string }) => template.name),
    ['Spring sale', 'SALE reminder', 'Wholesale'],
    "part of the name, any case; not another account's"
  )
  t.equal(sale.pagination.totalCount, 3)

  const percent = await list(`name=${encodeURIComponent('%')}`)
  t.same(
    percent.data.map((template: { name: string }) => template.name),
    ['100% off'],
    '% is a plain character, not a wildcard'
  )

  const none = await list('name=nothing')
  t.same(none, { success: true, data: [], pagination: { offset: 0, limit: 10, totalCount: 0, hasNext: false } })

  const badLimit = await app.inject({ url: `${base}?limit=101`, headers: account.headers })
  t.equal(badLimit.statusCode, 400)
  t.match(badLimit.json().error.message, /^querystring\.limit/)
})

t.test('roles: every role reads; Administrators and Campaign Managers write', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const base = `/v1/accounts/${account.accountId}/templates`
  const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
  const sender = await createTestUser(app, account.accountId, 'Sender')
  const reader = await createTestUser(app, account.accountId, 'Read Only')

  const created = await app.inject({
    method: 'POST',
    url: base,
    headers: manager.headers,
    payload: { name: 'By manager', template: 'Hi' }
  })
  t.equal(created.statusCode, 201)
  const [template] = created.json().data
  t.match(template.created.by, { id: manager.userId, email: manager.email, source: 'api' })
  const updated = await app.inject({
    method: 'PUT',
    url: `${base}/${template.id}`,
    headers: manager.headers,
    payload: { name: 'Renamed' }
  })
  t.equal(updated.statusCode, 200)

  for (const user of [sender, reader]) {
    t.equal((await app.inject({ url: base, headers: user.headers })).json().pagination.totalCount, 1)
    t.equal((await app.inject({ url: `${base}/${template.id}`, headers: user.headers })).statusCode, 200)
    const refused = [
      await app.inject({ method: 'POST', url: base, headers: user.headers, payload: { name: 'x', template: 'y' } }),
      await app.inject({ method: 'PUT', url: `${base}/${template.id}`, headers: user.headers, payload: { name: 'x' } }),
      await app.inject({ method: 'DELETE', url: `${base}/${template.id}`, headers: user.headers })
    ]
    for (const response of refused) {
      t.equal(response.statusCode, 403)
      t.equal(response.json().error.code, 'ACCT-016')
    }
  }
  const row = await app.db
    .selectFrom('templates')
    .select('name')
    .where('id', '=', template.id)
    .executeTakeFirstOrThrow()
  t.equal(row.name, 'Renamed', 'refused writes changed nothing')

  const removed = await app.inject({ method: 'DELETE', url: `${base}/${template.id}`, headers: manager.headers })
  t.equal(removed.statusCode, 200)
})
