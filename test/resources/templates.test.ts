import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('templates', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const other = await createTestAccount(app)
  const base = '/templates'

  async function create(payload: Record<string, unknown>, headers = account.headers) {
    return await api('POST', base, payload, headers)
  }
  async function stored(id: string) {
    return await app.db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst()
  }

  t.test("Sakari's create example works verbatim and answers a one-item list", async (t) => {
    const response = await api(
      'POST',
      base,
      '{\n  "name": "Test Template",\n  "template": "Hi {{ firstName }}, Welcome to Sakari!",\n  "type": "SMS"\n}',
      { ...account.headers, 'content-type': 'application/json' }
    )
    t.equal(response.status, 201)
    const body = response.body
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
      t.equal(response.status, 201)
      const [template] = response.body.data
      t.equal(template.type, 'SMS')
      t.same(template.media, [
        { url: 'https://example.com/shoe.png', type: 'image/png', name: 'Shoe', filename: 'shoe.png' }
      ])
      t.notOk('colour' in template)
      t.same((await stored(template.id))?.media, template.media)
      const web = await create({ name: 'Web one', template: 'Hello', type: 'Web' })
      t.equal(web.body.data[0].type, 'Web')
    }
  )

  t.test('invalid bodies are 400 and name the field', async (t) => {
    const noName = await create({ template: 'Hi' })
    t.equal(noName.status, 400)
    t.same(noName.body.error, { code: 'REQ-001', message: 'body.name is required' })
    const noText = await create({ name: 'x' })
    t.equal(noText.body.error.message, 'body.template is required')
    const badType = await create({ name: 'x', template: 'Hi', type: 'MMS' })
    t.equal(badType.status, 400)
    t.match(badType.body.error.message, /^body\.type/)
    const badMedia = await create({ name: 'x', template: 'Hi', media: [{ type: 'image/png' }] })
    t.equal(badMedia.body.error.message, 'body.media.0.url is required')
    const emptyText = await create({ name: 'x', template: '' })
    t.match(emptyText.body.error.message, /^body\.template/)
  })

  t.test('a template with a syntax error is refused with TMPL-002', async (t) => {
    const before = await app.db
      .selectFrom('templates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    const response = await create({ name: 'Broken', template: 'Hi {{firstName' })
    t.equal(response.status, 400)
    t.same(response.body, {
      success: false,
      error: { code: 'TMPL-002', message: 'body.template has a syntax error: Unclosed tag at 14' }
    })
    const section = await create({ name: 'Broken', template: '{{#vip}}Hello' })
    t.equal(section.body.error.code, 'TMPL-002')
    const after = await app.db
      .selectFrom('templates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    t.equal(after.n, before.n, 'nothing was stored')
  })

  t.test('fetch by id; a missing or foreign id is TMPL-001', async (t) => {
    const [created] = (await create({ name: 'Fetch me', template: 'Hi' })).body.data
    const fetched = await api('GET', `${base}/${created.id}`)
    t.equal(fetched.status, 200)
    t.same(fetched.body, { success: true, data: created })

    const missing = await api('GET', `${base}/nope`)
    t.equal(missing.status, 404)
    t.equal(missing.body.error.code, 'TMPL-001')

    const foreign = await caller(app, other)('GET', `/templates/${created.id}`)
    t.equal(foreign.status, 404)
    t.same(foreign.body, { success: false, error: { code: 'TMPL-001', message: `Template ${created.id} not found` } })
  })

  t.test('update changes the fields given and keeps the others', async (t) => {
    const [created] = (
      await create({ name: 'Promo', template: 'Old {{{firstName}}}', media: [{ url: 'https://example.com/a.png' }] })
    ).body.data
    const response = await api('PUT', `${base}/${created.id}`, { template: 'New {{{contact.firstName}}}' })
    t.equal(response.status, 200)
    const updated = response.body.data
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

    const full = await api('PUT', `${base}/${created.id}`, {
      name: 'Test Template',
      template: 'Hi {{ firstName }}, Welcome to Sakari!',
      type: 'Web',
      media: []
    })
    t.match(full.body.data, { name: 'Test Template', type: 'Web', media: [] })
  })

  t.test('update refuses a syntax error and leaves the template as it was', async (t) => {
    const [created] = (await create({ name: 'Keep', template: 'Fine {{{firstName}}}' })).body.data
    const response = await api('PUT', `${base}/${created.id}`, { template: '{{/x}}' })
    t.equal(response.status, 400)
    t.equal(response.body.error.code, 'TMPL-002')
    t.equal((await stored(created.id))?.template, 'Fine {{{firstName}}}')
  })

  t.test('update of a missing or foreign template is TMPL-001 and changes nothing', async (t) => {
    const [created] = (await create({ name: 'Mine', template: 'Hi' })).body.data
    const missing = await api('PUT', `${base}/nope`, { name: 'x' })
    t.equal(missing.status, 404)
    t.equal(missing.body.error.code, 'TMPL-001')
    const foreign = await caller(app, other)('PUT', `/templates/${created.id}`, { name: 'Stolen' })
    t.equal(foreign.status, 404)
    t.equal((await stored(created.id))?.name, 'Mine')
  })

  t.test('delete', async (t) => {
    const [created] = (await create({ name: 'Doomed', template: 'Bye' })).body.data
    const foreign = await caller(app, other)('DELETE', `/templates/${created.id}`)
    t.equal(foreign.status, 404)
    t.ok(await stored(created.id), 'another account cannot delete it')

    const removed = await api('DELETE', `${base}/${created.id}`)
    t.equal(removed.status, 200)
    t.same(removed.body, { success: true })
    t.notOk(await stored(created.id))
    const again = await api('DELETE', `${base}/${created.id}`)
    t.equal(again.status, 404)
    t.equal(again.body.error.code, 'TMPL-001')
    t.equal((await api('GET', `${base}/${created.id}`)).status, 404)
  })
})

t.test('listing: pagination, name filter, account isolation', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const other = await createTestAccount(app)
  const base = '/templates'
  const names = ['Welcome', 'Spring sale', 'SALE reminder', '100% off', 'Follow-up', 'Wholesale']
  for (const name of names) {
    const response = await api('POST', base, { name, template: `${name} text` })
    t.equal(response.status, 201)
  }
  await caller(app, other)('POST', '/templates', { name: 'Other sale', template: 'x' })

  const list = async (query: string) => (await api('GET', `${base}?${query}`)).body

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

  const badLimit = await api('GET', `${base}?limit=101`)
  t.equal(badLimit.status, 400)
  t.match(badLimit.body.error.message, /^querystring\.limit/)
})

t.test('roles: every role reads; Administrators and Campaign Managers write', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const base = '/templates'
  const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
  const sender = await createTestUser(app, account.accountId, 'Sender')
  const reader = await createTestUser(app, account.accountId, 'Read Only')

  const created = await api('POST', base, { name: 'By manager', template: 'Hi' }, manager.headers)
  t.equal(created.status, 201)
  const [template] = created.body.data
  t.match(template.created.by, { id: manager.userId, email: manager.email, source: 'api' })
  const updated = await api('PUT', `${base}/${template.id}`, { name: 'Renamed' }, manager.headers)
  t.equal(updated.status, 200)

  for (const user of [sender, reader]) {
    t.equal((await api('GET', base, undefined, user.headers)).body.pagination.totalCount, 1)
    t.equal((await api('GET', `${base}/${template.id}`, undefined, user.headers)).status, 200)
    const refused = [
      await api('POST', base, { name: 'x', template: 'y' }, user.headers),
      await api('PUT', `${base}/${template.id}`, { name: 'x' }, user.headers),
      await api('DELETE', `${base}/${template.id}`, undefined, user.headers)
    ]
    for (const response of refused) {
      t.equal(response.status, 403)
      t.equal(response.body.error.code, 'ACCT-016')
    }
  }
  const row = await app.db
    .selectFrom('templates')
    .select('name')
    .where('id', '=', template.id)
    .executeTakeFirstOrThrow()
  t.equal(row.name, 'Renamed', 'refused writes changed nothing')

  const removed = await api('DELETE', `${base}/${template.id}`, undefined, manager.headers)
  t.equal(removed.status, 200)
})
