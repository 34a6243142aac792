import { sql } from 'kysely'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

// A page of one is full whenever a second match exists, so these totals come from the counters.
t.test("a tag filter's totalCount stays exact through every way tags change", async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const other = await createTestAccount(app)
  const api = caller(app, account)
  const total = async (tag: string) =>
    (await api('GET', `/contacts?tags=${encodeURIComponent(tag)}&limit=1`)).body.pagination.totalCount as number
  const counted = async (tag: string) => {
    const { rows } = await sql<{ count: number }>`
      SELECT count(*)::int AS count FROM contacts
      WHERE account_id = ${account.accountId} AND tags @> ${JSON.stringify([{ tag }])}::jsonb`.execute(app.db)
    return rows[0]!.count
  }
  const check = async (expected: Record<string, number>, why: string) => {
    for (const [tag, count] of Object.entries(expected)) {
      t.equal(await counted(tag), count, `${why}: ${tag} stored`)
      t.equal(await total(tag), count, `${why}: ${tag} answered`)
    }
  }
  const create = async (number: string, tags: string[]) =>
    (await api('POST', '/contacts', { mobile: { number, country: 'US' }, tags: tags.map((tag) => ({ tag })) })).body
      .data[0] as { id: string }

  const a = await create('+14155550201', ['vip', 'west'])
  const b = await create('+14155550202', ['vip', 'vip'])
  const c = await create('+14155550203', ['west'])
  await caller(app, other)('POST', '/contacts', { mobile: { number: '+14155550204' }, tags: [{ tag: 'vip' }] })
  await check({ vip: 2, west: 2, east: 0 }, 'created, a repeated tag counted once, other accounts apart')

  await api('PUT', `/contacts/${c.id}`, { tags: [{ tag: 'vip' }, { tag: 'east' }] })
  await check({ vip: 3, west: 1, east: 1 }, 'tags replaced')
  await api('PUT', `/contacts/${c.id}`, { firstName: 'Carol' })
  await check({ vip: 3, west: 1, east: 1 }, 'an update that leaves tags alone')

  await api('POST', `/contacts/${b.id}/tags`, { tags: [{ tag: 'east' }, { tag: 'vip', visible: false }] })
  await check({ vip: 3, east: 2 }, 'tags added, one of them already carried')
  await api('DELETE', `/contacts/${a.id}/tags/vip`)
  await check({ vip: 2, west: 1 }, 'a tag removed')

  const csv = 'mobile,country,tags\n+14155550201,US,vip|north\n+14155550205,US,north|north\n'
  const imported = await api('POST', '/contacts', csv, { ...account.headers, 'content-type': 'text/csv' })
  t.equal(imported.status, 201)
  await check({ vip: 3, north: 2, west: 1 }, 'a CSV import appends to one contact and creates another')
  const replaced = await api('POST', '/contacts?mergeStrategy=remove', 'mobile,country\n+14155550205,US\n', {
    ...account.headers,
    'content-type': 'text/csv'
  })
  t.equal(replaced.status, 201)
  await check({ north: 1 }, 'a remove-strategy import drops the tags it does not send')

  await api('DELETE', `/contacts/${b.id}`)
  await check({ vip: 2, east: 1 }, 'a contact deleted')
  t.equal((await caller(app, other)('GET', '/contacts?tags=vip&limit=1')).body.pagination.totalCount, 1)
})
