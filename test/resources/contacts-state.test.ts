import t from 'tap'
import { sql } from 'kysely'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'

t.test('opt-out, opt-in, block, tags and assignment', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const { headers } = account
  const url = `/v1/accounts/${account.accountId}/contacts`
  const create = async (number: string) =>
    (await app.inject({ method: 'POST', url, headers, payload: { mobile: { number, country: 'US' } } })).json().data[0]
  const a = await create('+12025550401')
  const b = await create('+12025550402')
  await create('+12025550403')
  const post = (id: string, action: string) => app.inject({ method: 'POST', url: `${url}/${id}/${action}`, headers })
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
    t.equal(response.statusCode, 200)
    const contact = response.json().data
    t.equal(contact.valid, false)
    t.same(contact.error, { code: 'CONT-010', description: 'Contact has requested no further communication' })
    t.type(contact.blocked, 'string')
    t.equal(contact.optedOut, contact.blocked)
    t.equal((await eventTypes()).at(-1), 'contact-opt-out')
  })

  t.test('blocking does the same; unblocking never lifts an opt-out', async (t) => {
    t.equal((await post(b.id, 'block')).json().data.valid, false)
    await post(a.id, 'block')
    const unblocked = (await post(a.id, 'unblock')).json().data
    t.equal(unblocked.valid, false, 'still opted out')
    t.equal(unblocked.error.code, 'CONT-010')
  })

  t.test('filters list opted-out and blocked contacts', async (t) => {
    const count = async (query: string) =>
      (await app.inject({ url: `${url}?${query}`, headers })).json().pagination.totalCount
    t.equal(await count('optedOut=true'), 1)
    t.equal(await count('optedOut=false'), 2)
    t.equal(await count('blocked=true'), 2)
    t.equal(await count('blocked=false'), 1)
  })

  t.test('opting in clears the opt-out and records optIn', async (t) => {
    const contact = (await post(a.id, 'opt-in')).json().data
    t.equal(contact.valid, true)
    t.notOk('error' in contact)
    t.notOk('blocked' in contact)
    t.type(contact.optIn, 'string')
    t.equal((await eventTypes()).at(-1), 'contact-opt-in')
    t.equal((await post(b.id, 'unblock')).json().data.valid, true)
  })

  t.test('an opt-out belongs to the number: deleting or renumbering the contact does not lift it', async (t) => {
    const optedOut = async (number: string) => {
      const contact = await create(number)
      await post(contact.id, 'opt-out')
      return contact.id
    }
    const remove = async (id: string) =>
      t.equal((await app.inject({ method: 'DELETE', url: `${url}/${id}`, headers })).statusCode, 200)

    await remove(await optedOut('+12025550404'))
    const recreated = await create('+12025550404')
    t.match(recreated, { valid: false, error: { code: 'CONT-010' } }, 'created again, still opted out')
    t.type(recreated.optedOut, 'string')

    await remove(recreated.id)
    const imported = await app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': 'text/csv' },
      payload: 'mobile,country\n+12025550404,US\n'
    })
    t.match(
      imported.json().data,
      { inserted: 1, contacts: [{ valid: false, error: { code: 'CONT-010' } }] },
      'imported again, still opted out'
    )

    const moved = await optedOut('+12025550405')
    const renumbered = await app.inject({
      method: 'PUT',
      url: `${url}/${moved}`,
      headers,
      payload: { mobile: { number: '+12025550406', country: 'US' } }
    })
    t.equal(renumbered.json().data.valid, false, 'the contact keeps its own opt-out')
    t.equal((await create('+12025550405')).valid, false, 'the number it left stays opted out')

    const optedIn = await optedOut('+12025550407')
    t.equal((await post(optedIn, 'opt-in')).json().data.valid, true)
    await remove(optedIn)
    t.equal((await create('+12025550407')).valid, true, 'an opt-in is remembered as well: nothing is left to restore')

    // No route deletes accounts; an operator does, and the cascade must not trip over the memory.
    const other = await createTestAccount(app)
    const otherContact = (
      await app.inject({
        method: 'POST',
        url: `/v1/accounts/${other.accountId}/contacts`,
        headers: other.headers,
        payload: { mobile: { number: '+12025550408', country: 'US' } }
      })
    ).json().data[0]
    await app.inject({
      method: 'POST',
      url: `/v1/accounts/${other.accountId}/contacts/${otherContact.id}/opt-out`,
      headers: other.headers
    })
    const deleted = await app.db.deleteFrom('accounts').where('id', '=', other.accountId).executeTakeFirst()
    t.equal(deleted.numDeletedRows, 1n, 'an account with an opted-out contact can be deleted')
    const { rows } = await sql<{
      remaining: number
    }>`SELECT count(*)::int AS remaining FROM remembered_opt_outs WHERE account_id = ${other.accountId}`.execute(app.db)
    t.equal(rows[0]?.remaining, 0, 'and nothing of it is remembered')
  })

  t.test('tags are added, re-flagged and removed', async (t) => {
    const added = await app.inject({
      method: 'POST',
      url: `${url}/${a.id}/tags`,
      headers,
      payload: { tags: [{ tag: 'vip' }, { tag: 'hidden', visible: false }] }
    })
    t.same(added.json().data.tags, [
      { tag: 'vip', visible: true },
      { tag: 'hidden', visible: false }
    ])
    const again = await app.inject({
      method: 'POST',
      url: `${url}/${a.id}/tags`,
      headers,
      payload: { tags: [{ tag: 'vip', visible: false }] }
    })
    t.same(again.json().data.tags, [
      { tag: 'hidden', visible: false },
      { tag: 'vip', visible: false }
    ])
    const removed = await app.inject({ method: 'DELETE', url: `${url}/${a.id}/tags/hidden`, headers })
    t.same(removed.json().data.tags, [{ tag: 'vip', visible: false }])
    t.equal((await app.inject({ url: `${url}?tags=vip`, headers })).json().pagination.totalCount, 1)
  })

  t.test('contacts are assigned to users by id or email, and filtered by assignee', async (t) => {
    const user = await createTestUser(app, account.accountId, 'Sender', 'agent@example.com')
    const byEmail = await app.inject({
      method: 'PUT',
      url: `${url}/${b.id}`,
      headers,
      payload: { assignedUser: { email: 'AGENT@example.com' } }
    })
    t.same(byEmail.json().data.assignedUser, {
      id: user.userId,
      email: 'agent@example.com',
      firstName: 'Test',
      lastName: 'Sender'
    })
    t.equal((await app.inject({ url: `${url}?assignedUserId=${user.userId}`, headers })).json().data[0].id, b.id)
    const unknown = await app.inject({
      method: 'PUT',
      url: `${url}/${b.id}`,
      headers,
      payload: { assignedUser: { id: 'nobody' } }
    })
    t.equal(unknown.statusCode, 400)
    t.equal(unknown.json().error.code, 'CONT-004')
    const cleared = await app.inject({ method: 'PUT', url: `${url}/${b.id}`, headers, payload: { assignedUser: null } })
    t.equal(cleared.json().data.assignedUser, null)
  })
})
