import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'

t.test('group membership', async (t) => {
  const app = await buildTestApp(t)

  t.test('users: add is idempotent, remove answers GRP-009 when not a member', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const group = await created(api('POST', '/groups', { name: 'Team' }))
    const user = await created(api('POST', '/users', { email: 'ann@example.com', firstName: 'Ann', role: 'Sender' }))
    const added = await created(api('PUT', `/groups/${group.id}/users/${user.id}`))
    t.same(added.users, [{ id: user.id, email: 'ann@example.com', firstName: 'Ann', lastName: '', role: 'Sender' }])
    t.equal((await created(api('PUT', `/groups/${group.id}/users/${user.id}`))).users.length, 1)
    t.same((await api('GET', `/users/${user.id}`)).body.data.groups, [{ id: group.id, name: 'Team' }])

    t.same((await created(api('DELETE', `/groups/${group.id}/users/${user.id}`))).users, [])
    const again = await api('DELETE', `/groups/${group.id}/users/${user.id}`)
    t.equal(again.status, 404)
    t.equal(again.body.error.code, 'GRP-009')
    t.equal((await api('PUT', `/groups/${group.id}/users/nobody`)).body.error.code, 'USER-001')
    t.equal((await api('PUT', `/groups/nothing/users/${user.id}`)).body.error.code, 'GRP-001')
  })

  t.test('senders: one per dialling code in a group (GRP-003), nothing changes on refusal', async (t) => {
    const api = caller(app, await createTestAccount(app))
    await created(api('POST', '/senders', { number: uniqueNumber() })) // joins My First Group
    const group = await created(api('POST', '/groups', { name: 'Team' }))
    const us1 = await created(api('POST', '/senders', { number: uniqueNumber() }))
    const us2 = await created(api('POST', '/senders', { number: uniqueNumber() }))
    const uk = await created(api('POST', '/senders', { number: uniqueNumber('+44') }))
    t.equal(us2.group, null, 'only the first sender joins the default group')

    await created(api('PUT', `/groups/${group.id}/senders/${us1.id}`))
    const refused = await api('PUT', `/groups/${group.id}/senders/${us2.id}`)
    t.equal(refused.status, 409)
    t.equal(refused.body.error.code, 'GRP-003')
    t.equal((await api('GET', `/senders/${us2.id}`)).body.data.group, null)

    const both = await created(api('PUT', `/groups/${group.id}/senders/${uk.id}`))
    t.same(
      both.senders.map((sender: { diallingCode: string }) => sender.diallingCode),
      ['+1', '+44'],
      'different dialling codes may share a group'
    )
    t.same((await api('GET', `/senders/${uk.id}`)).body.data.group, { id: group.id, name: 'Team' })
  })

  t.test('senders: one group per sender, never a silent move (SNDR-003)', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const first = await created(api('POST', '/senders', { number: uniqueNumber() }))
    const team = await created(api('POST', '/groups', { name: 'Team' }))
    const moved = await api('PUT', `/groups/${team.id}/senders/${first.id}`)
    t.equal(moved.status, 409)
    t.equal(moved.body.error.code, 'SNDR-003')
    t.equal((await api('GET', `/senders/${first.id}`)).body.data.group.name, 'My First Group')
    t.equal(
      (await api('PUT', `/groups/${first.group.id}/senders/${first.id}`)).status,
      200,
      'adding it again to its own group is idempotent'
    )

    const wrongGroup = await api('DELETE', `/groups/${team.id}/senders/${first.id}`)
    t.equal(wrongGroup.body.error.code, 'GRP-010')
    await created(api('DELETE', `/groups/${first.group.id}/senders/${first.id}`))
    t.same(
      (await created(api('PUT', `/groups/${team.id}/senders/${first.id}`))).senders.map((s: { id: string }) => s.id),
      [first.id],
      'moved explicitly'
    )
    t.equal((await api('PUT', `/groups/${team.id}/senders/nothing`)).body.error.code, 'SNDR-001')
  })

  t.test("the seed's three best-practice shapes can be set up through the API", async (t) => {
    const api = caller(app, await createTestAccount(app))
    const users = []
    for (const name of ['a', 'b', 'c'])
      users.push(await created(api('POST', '/users', { email: `${name}@example.com`, role: 'Sender' })))

    // One user, one sender: both in the same single group.
    const solo = await created(api('POST', '/groups', { name: 'Solo (+12025550100)' }))
    const soloSender = await created(api('POST', '/senders', { number: uniqueNumber(), status: 'active' }))
    await created(api('DELETE', `/groups/${soloSender.group.id}/senders/${soloSender.id}`))
    await created(api('PUT', `/groups/${solo.id}/senders/${soloSender.id}`))
    const soloShape = await created(api('PUT', `/groups/${solo.id}/users/${users[0].id}`))
    t.same([soloShape.users.length, soloShape.senders.length], [1, 1])

    // Many users, one sender: all in the same group.
    const shared = await created(api('POST', '/groups', { name: 'Support (+12025550101)' }))
    const sharedSender = await created(api('POST', '/senders', { number: uniqueNumber(), status: 'active' }))
    await created(api('PUT', `/groups/${shared.id}/senders/${sharedSender.id}`))
    for (const user of users) await created(api('PUT', `/groups/${shared.id}/users/${user.id}`))
    t.equal((await api('GET', `/groups/${shared.id}`)).body.data.users.length, 3)

    // Many users, many senders: one group per sender, users added to each.
    for (const number of [uniqueNumber(), uniqueNumber()]) {
      const group = await created(api('POST', '/groups', { name: `Sales (${number})` }))
      const sender = await created(api('POST', '/senders', { number, status: 'active' }))
      await created(api('PUT', `/groups/${group.id}/senders/${sender.id}`))
      for (const user of users.slice(1)) await created(api('PUT', `/groups/${group.id}/users/${user.id}`))
    }
    const groupsOfB = (await api('GET', `/users/${users[1].id}`)).body.data.groups.map(
      (group: { name: string }) => group.name
    )
    t.match(groupsOfB, ['Support (+12025550101)', /^Sales/, /^Sales/])
    const asB = (await api('GET', '/groups', undefined, { ...api.headers, 'x-parley-user-email': 'b@example.com' }))
      .body
    t.equal(asB.pagination.totalCount, 3, 'the user sees exactly their three groups')
  })

  t.test('racing changes: the constraints decide, the losers get 409 and nothing half-done', async (t) => {
    const api = caller(app, await createTestAccount(app))
    await created(api('POST', '/senders', { number: uniqueNumber() }))
    const groups = []
    for (const name of ['G1', 'G2', 'G3', 'G4']) groups.push(await created(api('POST', '/groups', { name })))

    // The same sender added to four groups at once: one wins.
    const sender = await created(api('POST', '/senders', { number: uniqueNumber() }))
    const claims = await Promise.all(groups.map((group) => api('PUT', `/groups/${group.id}/senders/${sender.id}`)))
    t.same(claims.map((claim) => claim.status).sort(), [200, 409, 409, 409])
    t.ok(claims.filter((claim) => claim.status === 409).every((claim) => claim.body.error.code === 'SNDR-003'))
    const owner = (await api('GET', `/senders/${sender.id}`)).body.data.group.id
    t.equal(owner, groups[claims.findIndex((claim) => claim.status === 200)].id)

    // Four +1 senders added to one group at once: one wins.
    const rivals = []
    for (let n = 0; n < 4; n++) rivals.push(await created(api('POST', '/senders', { number: uniqueNumber() })))
    const target = groups.find((group) => group.id !== owner)
    const adds = await Promise.all(rivals.map((rival) => api('PUT', `/groups/${target.id}/senders/${rival.id}`)))
    t.same(adds.map((add) => add.status).sort(), [200, 409, 409, 409])
    t.ok(adds.filter((add) => add.status === 409).every((add) => add.body.error.code === 'GRP-003'))
    t.equal((await api('GET', `/groups/${target.id}`)).body.data.senders.length, 1)

    // The same user added ten times at once: one membership.
    const user = await created(api('POST', '/users', { email: 'race@example.com', role: 'Sender' }))
    const joins = await Promise.all(
      Array.from({ length: 10 }, () => api('PUT', `/groups/${target.id}/users/${user.id}`))
    )
    t.ok(joins.every((join) => join.status === 200))
    t.equal((await api('GET', `/groups/${target.id}`)).body.data.users.length, 1)

    // Four groups made the default at once: exactly one default remains.
    await Promise.all(groups.map((group) => api('PUT', `/groups/${group.id}`, { isDefault: true })))
    const defaults = (await api('GET', '/groups')).body.data.filter((group: { isDefault: boolean }) => group.isDefault)
    t.equal(defaults.length, 1)
  })

  t.test('two "first" senders created together: exactly one joins the default group', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const senders = await Promise.all(
      [uniqueNumber(), uniqueNumber('+44'), uniqueNumber()].map((number) =>
        created(api('POST', '/senders', { number }))
      )
    )
    t.equal(senders.filter((sender) => sender.group !== null).length, 1)
  })
})
