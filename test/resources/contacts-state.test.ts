import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('opt-out, opt-in, block, tags and assignment', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const { headers } = account
  const url = '/contacts'
  const create = async (number: string) => (await api('POST', url, { mobile: { number, country: 'US' } })).body.data[0]
  const a = await create('+12025550401')
  const b = await create('+12025550402')
  await create('+12025550403')
  const post = (id: string, action: string) => api('POST', `${url}/${id}/${action}`)
  const eventTypes = async () =>
    (
      await app.db
        .selectFrom('events')
        .select('event_type')
        .where('account_id', '=', account.accountId)
        .orderBy('seq')
        .execute()
    ).map((event) => event.event_type)

  t.test('opting out makes the contact invalid with CONT-010, as Sakari shows it', async (t) => {
    const response = await post(a.id, 'opt-out')
    t.equal(response.status, 200)
    const contact = response.body.data
    t.equal(contact.valid, false)
    t.same(contact.error, { code: 'CONT-010', description: 'Contact has requested no further communication' })
    t.type(contact.blocked, 'string')
    t.equal(contact.optedOut, contact.blocked)
    t.equal((await eventTypes()).at(-1), 'contact-opt-out')
  })

  t.test('blocking does the same; unblocking never lifts an opt-out', async (t) => {
    t.equal((await post(b.id, 'block')).body.data.valid, false)
    await post(a.id, 'block')
    const unblocked = (await post(a.id, 'unblock')).body.data
    t.equal(unblocked.valid, false, 'still opted out')
    t.equal(unblocked.error.code, 'CONT-010')
  })

  t.test('filters list opted-out and blocked contacts', async (t) => {
    const count = async (query: string) => (await api('GET', `${url}?${query}`)).body.pagination.totalCount
    t.equal(await count('optedOut=true'), 1)
    t.equal(await count('optedOut=false'), 2)
    t.equal(await count('blocked=true'), 2)
    t.equal(await count('blocked=false'), 1)
  })

  t.test('opting in clears the opt-out and records optIn', async (t) => {
    const contact = (await post(a.id, 'opt-in')).body.data
    t.equal(contact.valid, true)
    t.notOk('error' in contact)
    t.notOk('blocked' in contact)
    t.type(contact.optIn, 'string')
    t.equal((await eventTypes()).at(-1), 'contact-opt-in')
    t.equal((await post(b.id, 'unblock')).body.data.valid, true)
  })

  t.test('an opt-out belongs to the number: deleting or renumbering the contact does not lift it', async (t) => {
    const optedOut = async (number: string) => {
      const contact = await create(number)
      await post(contact.id, 'opt-out')
      return contact.id
    }
    const remove = async (id: string) => t.equal((await api('DELETE', `${url}/${id}`)).status, 200)

    await remove(await optedOut('+12025550404'))
    const recreated = await create('+12025550404')
    t.match(recreated, { valid: false, error: { code: 'CONT-010' } }, 'created again, still opted out')
    t.type(recreated.optedOut, 'string')

    await remove(recreated.id)
    const imported = await api('POST', url, 'mobile,country\n+12025550404,US\n', {
      ...headers,
      'content-type': 'text/csv'
    })
    t.match(
      imported.body.data,
      { inserted: 1, contacts: [{ valid: false, error: { code: 'CONT-010' } }] },
      'imported again, still opted out'
    )

    const moved = await optedOut('+12025550405')
    const renumbered = await api('PUT', `${url}/${moved}`, { mobile: { number: '+12025550406', country: 'US' } })
    t.equal(renumbered.body.data.valid, false, 'the contact keeps its own opt-out')
    t.equal((await create('+12025550405')).valid, false, 'the number it left stays opted out')

    const optedIn = await optedOut('+12025550407')
    t.equal((await post(optedIn, 'opt-in')).body.data.valid, true)
    await remove(optedIn)
    t.equal((await create('+12025550407')).valid, true, 'an opt-in is remembered as well: nothing is left to restore')

    // No route deletes accounts; an operator does, and the cascade must not trip over the memory.
    const other = await createTestAccount(app)
    const otherContact = (
      await caller(app, other)('POST', '/contacts', { mobile: { number: '+12025550408', country: 'US' } })
    ).body.data[0]
    await caller(app, other)('POST', `/contacts/${otherContact.id}/opt-out`)
    const deleted = await app.db.deleteFrom('accounts').where('id', '=', other.accountId).executeTakeFirst()
    t.equal(deleted.numDeletedRows, 1n, 'an account with an opted-out contact can be deleted')
    const { rows } = await sql<{
      remaining: number
    }>`SELECT count(*)::int AS remaining FROM remembered_opt_outs WHERE account_id = ${other.accountId}`.execute(app.db)
    t.equal(rows[0]?.remaining, 0, 'and nothing of it is remembered')
  })

  t.test('tags are added, re-flagged and removed', async (t) => {
    const added = await api('POST', `${url}/${a.id}/tags`, {
      tags: [{ tag: 'vip' }, { tag: 'hidden', visible: false }]
    })
    t.same(added.body.data.tags, [
      { tag: 'vip', visible: true },
      { tag: 'hidden', visible: false }
    ])
    const again = await api('POST', `${url}/${a.id}/tags`, { tags: [{ tag: 'vip', visible: false }] })
    t.same(again.body.data.tags, [
      { tag: 'hidden', visible: false },
      { tag: 'vip', visible: false }
    ])
    const removed = await api('DELETE', `${url}/${a.id}/tags/hidden`)
    t.same(removed.body.data.tags, [{ tag: 'vip', visible: false }])
    t.equal((await api('GET', `${url}?tags=vip`)).body.pagination.totalCount, 1)
  })

  t.test('contacts are assigned to users by id or email, and filtered by assignee', async (t) => {
    const user = await createTestUser(app, account.accountId, 'Sender', 'agent@example.com')
    const byEmail = await api('PUT', `${url}/${b.id}`, { assignedUser: { email: 'AGENT@example.com' } })
    t.same(byEmail.body.data.assignedUser, {
      id: user.userId,
      email: 'agent@example.com',
      firstName: 'Test',
      lastName: 'Sender'
    })
    t.equal((await api('GET', `${url}?assignedUserId=${user.userId}`)).body.data[0].id, b.id)
    const unknown = await api('PUT', `${url}/${b.id}`, { assignedUser: { id: 'nobody' } })
    t.equal(unknown.status, 400)
    t.equal(unknown.body.error.code, 'CONT-004')
    const cleared = await api('PUT', `${url}/${b.id}`, { assignedUser: null })
    t.equal(cleared.body.data.assignedUser, null)
  })
})
