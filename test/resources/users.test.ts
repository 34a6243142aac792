import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller, created } from '../helpers/api.ts'

t.test('users', async (t) => {
  // No credential cache, so a role change or a removal is seen by the very next request.
  const app = await buildTestApp(t, { PARLEY_CREDENTIAL_CACHE_SECONDS: '0' })

  t.test('create, fetch and list, with the groups each user is in', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const { status, body } = await api('POST', '/users', {
      email: 'cat@example.com',
      firstName: 'Cat',
      lastName: 'Lee',
      role: 'Campaign Manager'
    })
    t.equal(status, 201)
    t.match(body.data, {
      email: 'cat@example.com',
      firstName: 'Cat',
      lastName: 'Lee',
      role: 'Campaign Manager',
      groups: [],
      created: { by: { name: 'API client' } }
    })
    const group = await created(api('POST', '/groups', { name: 'Team' }))
    await created(api('PUT', `/groups/${group.id}/users/${body.data.id}`))
    t.same((await api('GET', `/users/${body.data.id}`)).body.data.groups, [{ id: group.id, name: 'Team' }])

    const list = (await api('GET', '/users')).body
    t.equal(list.pagination.totalCount, 2)
    t.match(list.data, [
      { id: account.adminUserId, role: 'Administrator', groups: [{ name: 'My First Group' }] },
      { email: 'cat@example.com', groups: [{ id: group.id, name: 'Team' }] }
    ])
  })

  t.test('email is unique per account, case-insensitively (409 USER-002)', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const user = await created(api('POST', '/users', { email: 'dup@example.com', role: 'Sender' }))
    t.equal((await api('POST', '/users', { email: 'DUP@example.com', role: 'Sender' })).body.error.code, 'USER-002')
    const other = await created(api('POST', '/users', { email: 'other@example.com', role: 'Sender' }))
    const clash = await api('PUT', `/users/${other.id}`, { email: 'Dup@Example.com' })
    t.equal(clash.status, 409)
    t.equal(clash.body.error.code, 'USER-002')
    t.equal((await api('GET', `/users/${other.id}`)).body.data.email, 'other@example.com', 'unchanged')
    t.equal(
      (await caller(app, await createTestAccount(app))('POST', '/users', { email: user.email, role: 'Sender' })).status,
      201,
      'free in another account'
    )
  })

  t.test('PUT changes only the fields given', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const user = await created(
      api('POST', '/users', { email: 'eve@example.com', firstName: 'Eve', lastName: 'Stone', role: 'Sender' })
    )
    const { body } = await api('PUT', `/users/${user.id}`, { role: 'Read Only' })
    t.match(body.data, { email: 'eve@example.com', firstName: 'Eve', lastName: 'Stone', role: 'Read Only' })
    t.equal((await api('PUT', `/users/${user.id}`, { role: 'Owner' })).status, 400)
    t.equal((await api('PUT', '/users/nobody', { firstName: 'x' })).body.error.code, 'USER-001')
  })

  t.test("a role change reaches the user's own credential", async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const user = await createTestUser(app, account.accountId, 'Read Only')
    t.equal((await api('POST', '/groups', { name: 'x' }, user.headers)).status, 403)
    await created(api('PUT', `/users/${user.userId}`, { role: 'Administrator' }))
    t.equal((await api('POST', '/groups', { name: 'x' }, user.headers)).status, 201)
  })

  t.test('delete is soft: the row and name stay, memberships and access go, the email is free again', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const user = await createTestUser(app, account.accountId, 'Sender', 'gone@example.com')
    const [group] = (await api('GET', '/groups')).body.data
    await created(api('PUT', `/groups/${group.id}/users/${user.userId}`))

    t.same((await api('DELETE', `/users/${user.userId}`)).body, { success: true })
    t.equal((await api('GET', `/users/${user.userId}`)).body.error.code, 'USER-001')
    t.equal((await api('DELETE', `/users/${user.userId}`)).status, 404)
    t.same(
      (await api('GET', `/groups/${group.id}`)).body.data.users.map((u: { id: string }) => u.id),
      [account.adminUserId]
    )
    const row = await app.db
      .selectFrom('users')
      .select(['first_name', 'deleted_at'])
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow()
    t.ok(row.deleted_at)
    t.equal(row.first_name, 'Test', 'the name stays for the history of what they sent')
    t.equal((await api('GET', '/groups', undefined, user.headers)).status, 401, 'their own credential stops working')
    const acting = await api('GET', '/groups', undefined, {
      ...account.headers,
      'x-parley-user-email': 'gone@example.com'
    })
    t.equal(acting.body.error.code, 'AUTH-003', 'integrations can no longer act as them')
    t.equal((await api('POST', '/users', { email: 'gone@example.com', role: 'Sender' })).status, 201)
  })

  t.test('the last Administrator can be neither removed nor demoted (409 USER-003)', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const demote = await api('PUT', `/users/${account.adminUserId}`, { role: 'Sender', firstName: 'Changed' })
    t.equal(demote.status, 409)
    t.equal(demote.body.error.code, 'USER-003')
    t.equal((await api('DELETE', `/users/${account.adminUserId}`)).body.error.code, 'USER-003')
    t.match(
      (await api('GET', `/users/${account.adminUserId}`)).body.data,
      { role: 'Administrator', firstName: 'Ada' },
      'unchanged'
    )
    t.equal(
      (await api('PUT', `/users/${account.adminUserId}`, { firstName: 'Ada B' })).status,
      200,
      'other changes are fine'
    )

    const second = await created(api('POST', '/users', { email: 'second-admin@example.com', role: 'Administrator' }))
    t.equal(
      (await api('PUT', `/users/${account.adminUserId}`, { role: 'Read Only' })).status,
      200,
      'another Administrator remains'
    )
    t.equal((await api('DELETE', `/users/${second.id}`)).body.error.code, 'USER-003', 'now the last one')
    t.equal(
      (await api('PUT', `/users/${second.id}`, { role: 'Administrator' })).status,
      200,
      'staying an Administrator is fine'
    )
  })

  t.test('two Administrators demoting or removing each other at once leave one behind', async (t) => {
    for (const [first, second] of [
      ['PUT', 'PUT'],
      ['DELETE', 'DELETE'],
      ['PUT', 'DELETE']
    ] as const) {
      const account = await createTestAccount(app)
      const api = caller(app, account)
      const other = await created(api('POST', '/users', { email: 'racer@example.com', role: 'Administrator' }))
      const [a, b] = await Promise.all([
        api(first, `/users/${account.adminUserId}`, first === 'PUT' ? { role: 'Sender' } : undefined),
        api(second, `/users/${other.id}`, second === 'PUT' ? { role: 'Sender' } : undefined)
      ])
      t.same([a.status, b.status].sort(), [200, 409], `${first} and ${second}`)
      t.equal([a, b].find((answer) => answer.status === 409)?.body.error.code, 'USER-003')
      const administrators = (await api('GET', '/users')).body.data.filter(
        (user: { role: string }) => user.role === 'Administrator'
      )
      t.equal(administrators.length, 1, 'one Administrator left')
    }
  })

  t.test('users show only the groups the caller may see', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const hidden = await created(api('POST', '/groups', { name: 'Hidden' }))
    const member = await createTestUser(app, account.accountId, 'Sender')
    await created(api('PUT', `/groups/${hidden.id}/users/${member.userId}`))
    const reader = await createTestUser(app, account.accountId, 'Read Only')

    const asReader = await api('GET', '/users?limit=100', undefined, reader.headers)
    t.equal(asReader.status, 200)
    const listed = asReader.body.data.find((user: { id: string }) => user.id === member.userId)
    t.same(listed.groups, [], 'the list leaves out a group the reader is not in')
    const fetched = await api('GET', `/users/${member.userId}`, undefined, reader.headers)
    t.same(fetched.body.data.groups, [], 'so does the fetch')
    t.equal((await api('GET', `/groups/${hidden.id}`, undefined, reader.headers)).status, 404, 'as the group itself')
    const asAdmin = await api('GET', `/users/${member.userId}`)
    t.same(asAdmin.body.data.groups, [{ id: hidden.id, name: 'Hidden' }], 'an account-wide credential sees it')
  })
})
