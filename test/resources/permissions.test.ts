import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller, created, uniqueNumber } from '../helpers/teams.ts'

t.test('permissions', async (t) => {
  const app = await buildTestApp(t)

  t.test('only Administrators manage users, senders, groups and credentials; every role reads', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const group = await created(api('POST', '/groups', { name: 'Team' }))
    const sender = await created(api('POST', '/senders', { number: uniqueNumber() }))
    const user = await created(api('POST', '/users', { email: 'target@example.com', role: 'Sender' }))
    // Deletions last, so an Administrator can run the whole list in order.
    const writes: Array<[method: 'POST' | 'PUT' | 'DELETE', path: string, payload?: object]> = [
      ['POST', '/users', { email: 'new@example.com', role: 'Sender' }],
      ['PUT', `/users/${user.id}`, { firstName: 'X' }],
      ['POST', '/senders', { number: uniqueNumber() }],
      ['PUT', `/senders/${sender.id}`, { carrier: 'sandbox' }],
      ['PUT', `/senders/${sender.id}/status`, { status: 'active' }],
      ['POST', '/groups', { name: 'Another' }],
      ['PUT', `/groups/${group.id}`, { name: 'Renamed' }],
      ['PUT', `/groups/${group.id}/users/${user.id}`],
      ['DELETE', `/groups/${group.id}/users/${user.id}`],
      ['DELETE', `/groups/${sender.group.id}/senders/${sender.id}`],
      ['PUT', `/groups/${group.id}/senders/${sender.id}`],
      ['POST', '/credentials', {}],
      ['DELETE', `/groups/${group.id}`],
      ['DELETE', `/senders/${sender.id}`],
      ['DELETE', `/users/${user.id}`]
    ]
    for (const role of ['Campaign Manager', 'Sender', 'Read Only'] as const) {
      const actor = await createTestUser(app, account.accountId, role)
      for (const [method, path, payload] of writes) {
        const { status, body } = await api(method, path, payload, actor.headers)
        t.equal(status, 403, `${role}: ${method} ${path}`)
        t.equal(body.error?.code, 'ACCT-016')
      }
      for (const path of ['/users', `/users/${user.id}`, '/senders', '/groups']) {
        t.equal((await api('GET', path, undefined, actor.headers)).status, 200, `${role}: GET ${path}`)
      }
    }
    t.equal((await api('GET', `/users/${user.id}`)).body.data.firstName, '', 'nothing was changed by a refused call')

    const admin = await createTestUser(app, account.accountId, 'Administrator')
    for (const [method, path, payload] of writes) {
      const { status } = await api(method, path, payload, admin.headers)
      t.ok(status < 300, `Administrator user: ${method} ${path} answered ${status}`)
    }
  })

  t.test('a group whose senders are not active is hidden from non-Administrators', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const group = await created(api('POST', '/groups', { name: 'Inbox (+1…)' }))
    await created(api('POST', '/senders', { number: uniqueNumber() })) // the default group's sender
    const sender = await created(api('POST', '/senders', { number: uniqueNumber(), status: 'pending' }))
    await created(api('PUT', `/groups/${group.id}/senders/${sender.id}`))
    const member = await createTestUser(app, account.accountId, 'Sender')
    await created(api('PUT', `/groups/${group.id}/users/${member.userId}`))
    const admin = await createTestUser(app, account.accountId, 'Administrator')

    t.equal((await api('GET', '/groups', undefined, member.headers)).body.pagination.totalCount, 0)
    t.equal((await api('GET', `/groups/${group.id}`, undefined, member.headers)).body.error.code, 'GRP-001')
    t.equal((await api('GET', '/senders', undefined, member.headers)).body.pagination.totalCount, 0)
    t.equal((await api('GET', `/senders/${sender.id}`, undefined, member.headers)).body.error.code, 'SNDR-001')
    t.equal(
      (await api('GET', '/groups', undefined, admin.headers)).body.pagination.totalCount,
      2,
      'Administrators see every group, members or not'
    )
    t.equal((await api('GET', '/senders', undefined, admin.headers)).body.pagination.totalCount, 2)

    await created(api('PUT', `/senders/${sender.id}/status`, { status: 'active' }))
    const visible = (await api('GET', '/groups', undefined, member.headers)).body
    t.same(
      visible.data.map((g: { id: string }) => g.id),
      [group.id],
      'registered: the member sees it, and only it'
    )
    t.equal((await api('GET', `/groups/${group.apiCode}`, undefined, member.headers)).status, 200)
    t.same(
      (await api('GET', '/senders', undefined, member.headers)).body.data.map((s: { id: string }) => s.id),
      [sender.id]
    )
  })

  t.test('a non-member sees neither the group nor its sender, by id or API code', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const group = await created(api('POST', '/groups', { name: 'Private', apiCode: 'private' }))
    await created(api('POST', '/senders', { number: uniqueNumber() }))
    const sender = await created(api('POST', '/senders', { number: uniqueNumber(), status: 'active' }))
    await created(api('PUT', `/groups/${group.id}/senders/${sender.id}`))
    const outsider = await createTestUser(app, account.accountId, 'Campaign Manager')
    for (const path of [`/groups/${group.id}`, '/groups/private', '/groups/PRIVATE']) {
      const { status, body } = await api('GET', path, undefined, outsider.headers)
      t.equal(status, 404, path)
      t.equal(body.error.code, 'GRP-001', 'the same answer as for a group that does not exist')
    }
    t.equal((await api('GET', `/senders/${sender.id}`, undefined, outsider.headers)).status, 404)
    t.equal((await api('GET', '/senders', undefined, outsider.headers)).body.pagination.totalCount, 0)
  })

  t.test('an integration acts for a user named in X-Parley-User-Email, with their groups', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const group = await created(api('POST', '/groups', { name: 'Team' }))
    await created(api('POST', '/senders', { number: uniqueNumber() }))
    const sender = await created(api('POST', '/senders', { number: uniqueNumber(), status: 'active' }))
    await created(api('PUT', `/groups/${group.id}/senders/${sender.id}`))
    const inside = await created(api('POST', '/users', { email: 'inside@example.com', role: 'Sender' }))
    await created(api('POST', '/users', { email: 'outside@example.com', role: 'Sender' }))
    await created(api('PUT', `/groups/${group.id}/users/${inside.id}`))
    const as = (email: string) => ({ ...account.headers, 'x-parley-user-email': email })

    t.same(
      (await api('GET', '/groups', undefined, as('INSIDE@example.com'))).body.data.map((g: { id: string }) => g.id),
      [group.id]
    )
    t.equal((await api('GET', `/groups/${group.id}`, undefined, as('outside@example.com'))).body.error.code, 'GRP-001')
    t.equal((await api('GET', '/groups', undefined, as('outside@example.com'))).body.pagination.totalCount, 0)
    const writeAsSender = await api('POST', '/groups', { name: 'x' }, as('inside@example.com'))
    t.equal(writeAsSender.body.error.code, 'ACCT-016', "the acting user's role applies, not the credential's")
    const unknown = await api('GET', '/groups', undefined, as('nobody@example.com'))
    t.equal(unknown.status, 403)
    t.equal(unknown.body.error.code, 'AUTH-003')
    t.equal(
      (await api('GET', '/groups')).body.pagination.totalCount,
      2,
      'without the header the credential acts as an Administrator'
    )

    const bound = await createTestUser(app, account.accountId, 'Sender')
    const mismatch = await api('GET', '/groups', undefined, {
      ...bound.headers,
      'x-parley-user-email': 'inside@example.com'
    })
    t.equal(mismatch.body.error.code, 'ACCT-016', 'a user-bound credential cannot act for someone else')
  })

  t.test('accounts are isolated: foreign ids answer 404 like missing ones', async (t) => {
    const a = await createTestAccount(app)
    const b = await createTestAccount(app)
    const apiA = caller(app, a)
    const apiB = caller(app, b)
    const group = await created(apiA('POST', '/groups', { name: 'Mine', apiCode: 'mine' }))
    const sender = await created(apiA('POST', '/senders', { number: uniqueNumber() }))
    const user = await created(apiA('POST', '/users', { email: 'mine@example.com', role: 'Sender' }))
    const [groupOfB] = (await apiB('GET', '/groups')).body.data

    const cases: Array<[method: 'GET' | 'PUT' | 'DELETE', path: string, code: string, payload?: object]> = [
      ['GET', `/groups/${group.id}`, 'GRP-001'],
      ['GET', '/groups/mine', 'GRP-001'],
      ['PUT', `/groups/${group.id}`, 'GRP-001', { name: 'stolen' }],
      ['DELETE', `/groups/${group.id}`, 'GRP-001'],
      ['GET', `/senders/${sender.id}`, 'SNDR-001'],
      ['PUT', `/senders/${sender.id}/status`, 'SNDR-001', { status: 'active' }],
      ['DELETE', `/senders/${sender.id}`, 'SNDR-001'],
      ['GET', `/users/${user.id}`, 'USER-001'],
      ['DELETE', `/users/${user.id}`, 'USER-001'],
      ['PUT', `/groups/${groupOfB.id}/users/${user.id}`, 'USER-001'],
      ['PUT', `/groups/${groupOfB.id}/senders/${sender.id}`, 'SNDR-001'],
      ['PUT', `/groups/${group.id}/users/${b.adminUserId}`, 'GRP-001']
    ]
    for (const [method, path, code, payload] of cases) {
      const { status, body } = await apiB(method, path, payload)
      t.equal(status, 404, `${method} ${path}`)
      t.equal(body.error.code, code)
    }
    t.equal((await apiB('GET', '/senders')).body.pagination.totalCount, 0)
    t.equal((await apiB('GET', '/users')).body.pagination.totalCount, 1)
    t.equal((await apiA('GET', `/groups/${group.id}`)).body.data.name, 'Mine', 'unchanged')

    const crossPath = await app.inject({ url: `/v1/accounts/${a.accountId}/groups`, headers: b.headers })
    t.equal(crossPath.statusCode, 403)
    t.equal(crossPath.json().error.code, 'ACCT-008')
  })
})
