import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('contacts CRUD as the Sakari reference', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const base = '/contacts'
  const headers = account.headers

  t.test("Sakari's documented JSON create works verbatim and answers ContactsResponse", async (t) => {
    const response = await api(
      'POST',
      base,
      '{\n  "firstName": "Chris",\n  "lastName": "Thomson",\n  "mobile": {\n    "number": "+1234567890",\n    "country": "US"\n  }\n}',
      { ...headers, 'content-type': 'application/json' }
    )
    t.equal(response.status, 201)
    const body = response.body
    t.equal(body.success, true)
    t.equal(body.data.length, 1, 'data is an array')
    t.match(body.pagination, { offset: 0, totalCount: 1 })
    const contact = body.data[0]
    t.match(contact, {
      firstName: 'Chris',
      lastName: 'Thomson',
      mobile: { number: '+11234567890', country: 'US' },
      valid: true,
      tags: [],
      attributes: {},
      assignedUser: null,
      integrations: {}
    })
    t.match(contact.created, { at: String, by: { id: account.clientId, source: 'api' } })

    const fetched = await api('GET', `${base}/${contact.id}`)
    t.equal(fetched.status, 200)
    t.same(fetched.body.data, contact, 'fetch answers ContactResponse with the same contact')

    const events = await app.db
      .selectFrom('events')
      .selectAll()
      .where('account_id', '=', account.accountId)
      .where('event_type', '=', 'contact-created')
      .execute()
    t.equal(events.length, 1, 'the create wrote a contact-created event in its transaction')
    t.match(events[0]!.payload, { id: contact.id, mobile: { number: '+11234567890' } })
  })

  t.test('numbers are stored in E.164 whatever their format; invalid ones are CONT-001', async (t) => {
    const created = await api('POST', base, { mobile: { number: '(202) 555-0143', country: 'us' } })
    t.equal(created.status, 201)
    t.same(created.body.data[0].mobile, { number: '+12025550143', country: 'US' })
    const uk = await api('POST', base, { mobile: { number: '07700 900123', country: 'GB' } })
    t.same(uk.body.data[0].mobile, { number: '+447700900123', country: 'GB' })

    for (const mobile of [
      { number: '12', country: 'US' },
      { number: 'not a number', country: 'US' },
      { number: '5550143' }
    ]) {
      const bad = await api('POST', base, { mobile })
      t.equal(bad.status, 400, JSON.stringify(mobile))
      t.equal(bad.body.error.code, 'CONT-001')
    }
    const missing = await api('POST', base, { firstName: 'No number' })
    t.equal(missing.status, 400)
    t.match(missing.body.error.message, /mobile/)
  })

  t.test('update, then delete', async (t) => {
    const created = (
      await api('POST', base, {
        firstName: 'Bob',
        email: 'bob@example.com',
        mobile: { number: '+12025550150', country: 'US' },
        tags: [{ tag: 'a' }]
      })
    ).body.data[0]
    const updated = await api('PUT', `${base}/${created.id}`, {
      firstName: 'Robert',
      tags: [{ tag: 'b', visible: false }],
      mobile: { number: '202-555-0151', country: 'US' }
    })
    t.equal(updated.status, 200)
    t.match(updated.body.data, {
      id: created.id,
      firstName: 'Robert',
      email: 'bob@example.com',
      tags: [{ tag: 'b', visible: false }],
      mobile: { number: '+12025550151' }
    })

    const taken = await api('PUT', `${base}/${created.id}`, { mobile: { number: '+12025550143', country: 'US' } })
    t.equal(taken.status, 409, "another contact's number")
    t.equal(taken.body.error.code, 'CONT-003')

    const removed = await api('DELETE', `${base}/${created.id}`)
    t.equal(removed.status, 200)
    t.same(removed.body, { success: true })
    t.equal((await api('GET', `${base}/${created.id}`)).status, 404)
    t.equal((await api('DELETE', `${base}/${created.id}`)).body.error.code, 'CONT-002')
    const event = await app.db
      .selectFrom('events')
      .selectAll()
      .where('event_type', '=', 'contact-removed')
      .executeTakeFirstOrThrow()
    t.match(event.payload, { id: created.id })
  })

  t.test('concurrent deletes of one contact record one event', async (t) => {
    const created = (await api('POST', base, { mobile: { number: '+12025550160', country: 'US' } })).body.data[0]
    const responses = await Promise.all(Array.from({ length: 8 }, () => api('DELETE', `${base}/${created.id}`)))
    t.same(responses.map((response) => response.status).sort(), [200, ...Array(7).fill(404)])
    const events = await app.db
      .selectFrom('events')
      .select('payload')
      .where('event_type', '=', 'contact-removed')
      .execute()
    t.equal(events.filter((event) => (event.payload as { id: string }).id === created.id).length, 1)
  })

  t.test('list filters: partial and case-insensitive, tags, pagination', async (t) => {
    const other = await createTestAccount(app)
    const seed = [
      {
        firstName: 'Alice',
        lastName: 'Smith',
        email: 'alice@Example.org',
        mobile: { number: '+14155550101' },
        tags: [{ tag: 'vip' }, { tag: 'west' }]
      },
      {
        firstName: 'Alicia',
        lastName: 'Jones',
        email: 'aj@example.com',
        mobile: { number: '+14155550102' },
        tags: [{ tag: 'vip' }]
      },
      { firstName: 'Bruce', lastName: 'Smithers', email: 'bruce@example.com', mobile: { number: '+14155550103' } }
    ]
    for (const contact of seed) await caller(app, other)('POST', '/contacts', contact)
    const list = async (query: string) => (await caller(app, other)('GET', `/contacts?${query}`)).body

    t.same(
      (await list('firstName=ALI')).data.map((c: { firstName: string }) => c.firstName),
      ['Alice', 'Alicia']
    )
    t.same((await list('lastName=smith')).pagination.totalCount, 2)
    t.same(
      (await list('email=example.org')).data.map((c: { firstName: string }) => c.firstName),
      ['Alice']
    )
    t.same(
      (await list('mobile=5550103')).data.map((c: { firstName: string }) => c.firstName),
      ['Bruce']
    )
    t.same((await list('tags=vip')).pagination.totalCount, 2)
    t.same(
      (await list('tags=vip,west')).data.map((c: { firstName: string }) => c.firstName),
      ['Alice'],
      'several tags: all of them'
    )
    t.same((await list('firstName=%25')).pagination.totalCount, 0, 'LIKE wildcards are matched literally')
    t.same(
      (await list('mobile=+1415555010')).pagination.totalCount,
      3,
      'an unencoded + (read as a space) still matches'
    )
    t.same((await list('mobile=%2B1415555010')).pagination.totalCount, 3, 'a partial number with its + still matches')
    const page = await list('limit=2&offset=1')
    t.same(page.pagination, { offset: 1, limit: 2, totalCount: 3, hasNext: false })
    t.equal(page.data.length, 2)
    t.equal((await list('limit=101')).success, false)
    for (const offset of [0, 1, 2, 3, 7]) {
      const filtered = (await list(`mobile=5550&limit=2&offset=${offset}`)).pagination
      t.same(
        filtered,
        { offset, limit: 2, totalCount: 3, hasNext: offset + 2 < 3 },
        `a filtered page at offset ${offset} still counts every match`
      )
    }
  })
})

t.test('one contact per number per account, even when created concurrently', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const url = '/contacts'
  const responses = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      api('POST', url, { firstName: `Racer ${i}`, mobile: { number: '+12025550177', country: 'US' } })
    )
  )
  t.same(
    responses.map((response) => response.status),
    Array(8).fill(201)
  )
  t.equal(new Set(responses.map((response) => response.body.data[0].id)).size, 1, 'every answer names the same contact')
  const { count } = await app.db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('mobile', '=', '+12025550177')
    .executeTakeFirstOrThrow()
  t.equal(count, 1)
  const events = await app.db
    .selectFrom('events')
    .select('event_type')
    .where('account_id', '=', account.accountId)
    .execute()
  t.equal(events.filter((event) => event.event_type === 'contact-created').length, 1)
  t.equal(events.filter((event) => event.event_type === 'contact-updated').length, 7)

  const totalCount = async () => (await api('GET', url)).body.pagination.totalCount
  t.equal(await totalCount(), 1, 'the unfiltered count (kept by triggers) agrees')
  await Promise.all(
    Array.from({ length: 5 }, (_, i) => api('POST', url, { mobile: { number: `+1202555020${i}`, country: 'US' } }))
  )
  t.equal(await totalCount(), 6)
  await api('DELETE', `${url}/${responses[0]!.body.data[0].id}`)
  t.equal(await totalCount(), 5)
})

t.test("accounts never see each other's contacts", async (t) => {
  const app = await buildTestApp(t)
  const mine = await createTestAccount(app)
  const theirs = await createTestAccount(app)
  const created = (
    await caller(app, theirs)('POST', '/contacts', { mobile: { number: '+12025550188', country: 'US' } })
  ).body.data[0]

  const sameNumber = await caller(app, mine)('POST', '/contacts', { mobile: { number: '+12025550188', country: 'US' } })
  t.equal(sameNumber.status, 201)
  t.not(sameNumber.body.data[0].id, created.id, 'the same number is a different contact in another account')

  for (const [method, suffix] of [
    ['GET', ''],
    ['PUT', ''],
    ['DELETE', ''],
    ['POST', '/opt-out'],
    ['POST', '/block']
  ] as const) {
    const response = await caller(app, mine)(
      method,
      `/contacts/${created.id}${suffix}`,
      method === 'PUT' ? { firstName: 'x' } : undefined
    )
    t.equal(response.status, 404, `${method} ${suffix}: a foreign id is not found`)
  }
  const foreignPath = await caller(app, theirs)('GET', '/contacts', undefined, mine.headers)
  t.equal(foreignPath.status, 403)
  const list = (await caller(app, mine)('GET', '/contacts')).body
  t.equal(list.pagination.totalCount, 1)
})

t.test('roles: everyone reads, Sender writes, Read Only does not', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const url = '/contacts'
  const readOnly = await createTestUser(app, account.accountId, 'Read Only')
  const sender = await createTestUser(app, account.accountId, 'Sender')

  t.equal((await api('GET', url, undefined, readOnly.headers)).status, 200)
  const refused = await api('POST', url, { mobile: { number: '+12025550190', country: 'US' } }, readOnly.headers)
  t.equal(refused.status, 403)
  t.equal(refused.body.error.code, 'ACCT-016')
  const created = await api('POST', url, { mobile: { number: '+12025550190', country: 'US' } }, sender.headers)
  t.equal(created.status, 201)
  t.match(created.body.data[0].created.by, { id: sender.userId, source: 'api' }, 'created.by names the user')
  const csv = await api('POST', url, 'mobile,country\n+12025550191,US\n', {
    ...sender.headers,
    'content-type': 'text/csv'
  })
  t.equal(csv.status, 403, 'imports need Administrator or Campaign Manager')
  t.equal(csv.body.error.code, 'ACCT-016')
  const optOut = await api('POST', `${url}/${created.body.data[0].id}/opt-out`, undefined, readOnly.headers)
  t.equal(optOut.status, 403)
})

t.test('the mobile filter reads the number as a create does, so the number as sent finds the contact', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const create = async (payload: object) => (await api('POST', '/contacts', payload)).body.data[0]
  const sakari = await create({ firstName: 'Joe', mobile: { number: '+1234567890', country: 'US' } })
  t.equal(sakari.mobile.number, '+11234567890', "Sakari's example number is stored in full")
  const british = await create({ firstName: 'Ann', mobile: { number: '07700 900123', country: 'GB' } })
  t.equal(british.mobile.number, '+447700900123')

  const found = async (mobile: string) =>
    (await api('GET', `/contacts?mobile=${encodeURIComponent(mobile)}`)).body.data.map(
      (contact: { firstName: string }) => contact.firstName
    )
  t.same(await found('+1234567890'), ['Joe'], 'the number exactly as it was sent')
  t.same(await found('(123) 456-7890'), ['Joe'], 'formatted as a person writes it')
  t.same(await found('+11234567890'), ['Joe'], 'as it is stored')
  t.same(await found('07700 900123'), ['Ann'], "a national number, read with the contact's country")
  t.same(await found('+447700900123'), ['Ann'])
  t.same(await found('4567'), ['Joe'], 'partial digits still match')
  t.same(await found('+1999999999'), [], 'another number finds nothing')
  const raw = await api('GET', '/contacts?mobile=+1234567890')
  t.same(
    raw.body.data.map((contact: { firstName: string }) => contact.firstName),
    ['Joe'],
    'an unencoded + (read as a space)'
  )
})
