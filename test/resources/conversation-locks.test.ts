import { sql } from 'kysely'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'

t.test('conversation locks', async (t) => {
  // Two instances on one database: racing takers come through different ones.
  const env = { ...quickSandbox, DATABASE_URL: await createTestDatabase(t) }
  const app = await buildTestApp(t, env)
  const secondApp = await buildTestApp(t, env)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const otherInstance = caller(secondApp, account)
  const support = await sandboxSender(app, account)
  const alice = await createTestUser(app, account.accountId, 'Sender')
  const bob = await createTestUser(app, account.accountId, 'Sender')
  const outsider = await createTestUser(app, account.accountId, 'Sender')
  for (const user of [alice, bob]) await created(api('PUT', `/groups/${support.groupId}/users/${user.userId}`))
  await created(api('PUT', `/groups/${support.groupId}/users/${account.adminUserId}`))
  const adminEmail = (await created(api('GET', `/users/${account.adminUserId}`))).email
  const asAdminUser = { ...account.headers, 'x-parley-user-email': adminEmail }

  let contactNumber = 0
  const newConversation = async () => {
    const sent = await created(
      api('POST', '/messages', {
        contacts: [{ mobile: { number: `+1202555${1100 + ++contactNumber}` } }],
        template: 'Hi'
      })
    )
    return sent.messages[0].conversation.id as string
  }
  const lock = (id: string, headers: Record<string, string>) =>
    api('POST', `/conversations/${id}/lock`, undefined, headers)
  const reply = (id: string, headers: Record<string, string>, template = 'A reply') =>
    api('POST', '/messages', { conversations: [id], template }, headers)
  const lockEvents = async (id: string) =>
    (
      await app.db
        .selectFrom('events')
        .select(['event_type', 'payload'])
        .where('account_id', '=', account.accountId)
        .where('event_type', 'like', 'conversation-lock%')
        .where(sql<boolean>`payload->>'id' = ${id}`)
        .orderBy('seq')
        .execute()
    ).map((row) => ({ type: row.event_type, payload: row.payload as Record<string, unknown> }))

  t.test('racing takers on two instances: exactly one wins, and the loser is told who holds it', async (t) => {
    for (let round = 0; round < 5; round++) {
      const id = await newConversation()
      const statuses = (
        await Promise.all([
          lock(id, alice.headers),
          otherInstance('POST', `/conversations/${id}/lock`, undefined, bob.headers)
        ])
      ).map((result) => result.status)
      t.same(statuses.sort(), [200, 409], `round ${round}`)
    }
    const id = await newConversation()
    const results = await Promise.all([lock(id, alice.headers), lock(id, bob.headers)])
    t.same(results.map((result) => result.status).sort(), [200, 409])
    const winner = results.find((result) => result.status === 200)!
    const loser = results.find((result) => result.status === 409)!
    const holder = winner.body.data.lock.user
    t.equal(loser.body.error.code, 'LOCK-001')
    t.match(
      loser.body.error.message,
      `locked by Test Sender (user ${holder.id}) until ${winner.body.data.lock.expiresAt}`
    )
    t.ok([alice.userId, bob.userId].includes(holder.id))
    t.match(holder, { firstName: 'Test', lastName: 'Sender' })
    t.same(
      (await lockEvents(id)).map((event) => event.type),
      ['conversation-locked']
    )
  })

  t.test('everyone who can read it sees the lock, in the list and the fetch', async (t) => {
    const id = await newConversation()
    const taken = await created(lock(id, alice.headers))
    t.match(taken.lock, { user: { id: alice.userId, firstName: 'Test', lastName: 'Sender' } })
    const expires = Date.parse(taken.lock.expiresAt)
    t.ok(expires > Date.now() + 100_000 && expires <= Date.now() + 121_000, 'lapses after PARLEY_LOCK_SECONDS')
    const seen = await created(api('GET', `/conversations/${id}`, undefined, bob.headers))
    t.same(seen.lock, taken.lock)
    const listed = await created(api('GET', '/conversations?limit=100', undefined, bob.headers))
    t.same(listed.find((row: { id: string }) => row.id === id).lock, taken.lock)
    t.equal((await api('GET', `/conversations/${id}`, undefined, outsider.headers)).status, 404)
    t.equal((await lock(id, outsider.headers)).status, 404, 'a non-member cannot take it')
  })

  t.test('the holder extends it as a heartbeat; a reply extends it too', async (t) => {
    const id = await newConversation()
    await created(lock(id, alice.headers))
    await app.db
      .updateTable('conversations')
      .set({ lock_expires_at: sql<Date>`now() + interval '5 seconds'` })
      .where('id', '=', id)
      .execute()
    const extended = await created(lock(id, alice.headers))
    t.ok(Date.parse(extended.lock.expiresAt) > Date.now() + 60_000, 'the heartbeat pushed the lapse back')
    await app.db
      .updateTable('conversations')
      .set({ lock_expires_at: sql<Date>`now() + interval '5 seconds'` })
      .where('id', '=', id)
      .execute()
    const sent = await created(reply(id, alice.headers))
    t.equal(sent.valid, 1, "the holder's own reply goes out")
    t.match(sent.messages[0].created.by, {
      id: alice.userId,
      name: 'Test Sender',
      firstName: 'Test',
      lastName: 'Sender',
      source: 'api'
    })
    const fetched = await created(api('GET', `/messages/${sent.messages[0].id}`, undefined, bob.headers))
    t.match(fetched.created.by, { id: alice.userId, name: 'Test Sender' }, 'everyone sees who sent it')
    const after = await created(api('GET', `/conversations/${id}`))
    t.ok(Date.parse(after.lock.expiresAt) > Date.now() + 60_000, 'the reply pushed the lapse back')
    const events = await lockEvents(id)
    t.same(
      events.map((event) => event.type),
      ['conversation-locked', 'conversation-lock-extended', 'conversation-lock-extended']
    )
    t.same(events[2]!.payload.lock, after.lock, 'the reply announces the lock as the conversation shows it')
  })

  t.test("another user's send into a locked conversation is refused naming the holder", async (t) => {
    const id = await newConversation()
    const held = await created(lock(id, alice.headers))
    const byConversation = await reply(id, bob.headers)
    t.equal(byConversation.status, 409)
    t.equal(byConversation.body.error.code, 'LOCK-001')
    t.match(
      byConversation.body.error.message,
      `locked by Test Sender (user ${alice.userId}) until ${held.lock.expiresAt}`
    )
    const contact = (await created(api('GET', `/conversations/${id}`))).contact
    const byContact = await api(
      'POST',
      '/messages',
      { contacts: [{ mobile: { number: contact.mobile.number } }], template: 'Through the group' },
      bob.headers
    )
    t.equal(byContact.status, 409, 'by contact through the group')
    t.equal(byContact.body.error.code, 'LOCK-001')
    const accountWide = await reply(id, account.headers)
    t.equal(accountWide.status, 409, 'an account-wide credential respects locks too')
    const other = await newConversation()
    const bulk = await created(api('POST', '/messages', { conversations: [id, other], template: 'Both' }, bob.headers))
    t.match(bulk, { requested: 2, valid: 1, invalid: [{ conversation: { id }, error: { code: 'LOCK-001' } }] })
    const messages = await app.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', id)
      .where('user_id', '=', bob.userId)
      .execute()
    t.same(messages, [], 'nothing of the refused sends was written')
  })

  t.test('a lapsed lock is free for anyone', async (t) => {
    const id = await newConversation()
    await created(lock(id, alice.headers))
    await app.db
      .updateTable('conversations')
      .set({ lock_expires_at: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', id)
      .execute()
    t.equal((await created(api('GET', `/conversations/${id}`))).lock, null, 'shown as unlocked')
    t.equal((await reply(id, bob.headers)).status, 200, 'sending is allowed again')
    const taken = await created(lock(id, bob.headers))
    t.equal(taken.lock.user.id, bob.userId)
  })

  t.test('release by the holder; an Administrator breaks a lock explicitly', async (t) => {
    const id = await newConversation()
    await created(lock(id, alice.headers))
    const refused = await api('DELETE', `/conversations/${id}/lock`, undefined, bob.headers)
    t.equal(refused.status, 409)
    t.equal(refused.body.error.code, 'LOCK-001')
    t.equal((await api('DELETE', `/conversations/${id}/lock?break=true`, undefined, bob.headers)).status, 403)
    const released = await created(api('DELETE', `/conversations/${id}/lock`, undefined, alice.headers))
    t.equal(released.lock, null)
    t.equal((await created(lock(id, bob.headers))).lock.user.id, bob.userId)

    t.equal((await api('DELETE', `/conversations/${id}/lock`, undefined, asAdminUser)).status, 409, 'needs break=true')
    const broken = await created(api('DELETE', `/conversations/${id}/lock?break=true`, undefined, asAdminUser))
    t.equal(broken.lock, null)
    t.equal(broken.updated.by.id, account.adminUserId, 'recorded as the conversation update')
    const events = await lockEvents(id)
    t.match(events.at(-1), {
      type: 'conversation-lock-released',
      payload: { broken: true, released: { user: { id: bob.userId } }, by: { id: account.adminUserId } }
    })
    t.match(events.at(-3), { type: 'conversation-lock-released', payload: { by: { id: alice.userId } } })
    t.notOk('broken' in events.at(-3)!.payload)
  })

  t.test('locks need an acting user', async (t) => {
    const id = await newConversation()
    const { status, body } = await lock(id, account.headers)
    t.equal(status, 400)
    t.equal(body.error.code, 'LOCK-002')
  })
})

t.test('a lock lapses PARLEY_LOCK_SECONDS after its last activity', async (t) => {
  const app = await buildTestApp(t, { ...quickSandbox, PARLEY_LOCK_SECONDS: '1' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const support = await sandboxSender(app, account)
  const [alice, bob] = [
    await createTestUser(app, account.accountId, 'Sender'),
    await createTestUser(app, account.accountId, 'Sender')
  ]
  for (const user of [alice, bob]) await created(api('PUT', `/groups/${support.groupId}/users/${user.userId}`))
  const sent = await created(
    api('POST', '/messages', { contacts: [{ mobile: { number: '+12025551190' } }], template: 'Hi' })
  )
  const id = sent.messages[0].conversation.id
  const taken = await created(api('POST', `/conversations/${id}/lock`, undefined, alice.headers))
  t.equal((await api('POST', `/conversations/${id}/lock`, undefined, bob.headers)).status, 409)
  await new Promise((resolve) => setTimeout(resolve, Date.parse(taken.lock.expiresAt) - Date.now() + 250))
  t.equal((await created(api('GET', `/conversations/${id}`))).lock, null)
  t.equal((await created(api('POST', `/conversations/${id}/lock`, undefined, bob.headers))).lock.user.id, bob.userId)
})
