import t from 'tap'
import { assertCanUseGroup, defaultGroupFor, groupsUsableBy } from '../../src/resources/groups/group-access.ts'
import { resolveGroup } from '../../src/resources/groups/groups.repository.ts'
import type { Role } from '../../src/shared/roles.ts'
import type { Principal } from '../../src/shared/principal.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser, type TestAccount } from '../helpers/fixtures.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'

// The shared access functions every inbox, conversation and message endpoint relies on.
t.test('group access', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const [firstGroup] = (await api('GET', '/groups')).body.data
  const team = await created(api('POST', '/groups', { name: 'Team', apiCode: 'team' }))
  await created(api('POST', '/senders', { number: uniqueNumber(), status: 'active' })) // joins My First Group
  const pending = await created(api('POST', '/senders', { number: uniqueNumber(), status: 'pending' }))
  await created(api('PUT', `/groups/${team.id}/senders/${pending.id}`))

  async function principalFor(role: Role, groups: string[]): Promise<Principal> {
    const user = await createTestUser(app, account.accountId, role)
    for (const group of groups) await created(api('PUT', `/groups/${group}/users/${user.userId}`))
    return {
      accountId: account.accountId,
      credentialId: 'c',
      clientId: 'c',
      role,
      user: { id: user.userId, email: user.email, firstName: '', lastName: '', role }
    }
  }
  const accountWide: Principal = {
    accountId: account.accountId,
    credentialId: 'c',
    clientId: 'c',
    role: 'Administrator'
  }

  t.test('resolveGroup takes an id or an API code, only within the account', async (t) => {
    t.equal((await resolveGroup(app.db, account.accountId, team.id))?.id, team.id)
    t.equal((await resolveGroup(app.db, account.accountId, 'TEAM'))?.id, team.id)
    const other: TestAccount = await createTestAccount(app)
    t.equal(await resolveGroup(app.db, other.accountId, team.id), undefined)
    t.equal(await resolveGroup(app.db, other.accountId, 'team'), undefined)
  })

  t.test('a principal without an acting user works in every group', async (t) => {
    t.equal(await groupsUsableBy(app.db, accountWide), 'all')
    t.equal((await assertCanUseGroup(app.db, accountWide, 'team')).id, team.id)
    t.equal((await defaultGroupFor(app.db, accountWide))?.id, firstGroup.id)
  })

  t.test('an Administrator user works only in groups they were added to', async (t) => {
    const admin = await principalFor('Administrator', [team.id])
    t.same(await groupsUsableBy(app.db, admin), [team.id], 'a group with no active sender counts for an Administrator')
    t.equal((await assertCanUseGroup(app.db, admin, team.id)).id, team.id)
    await t.rejects(assertCanUseGroup(app.db, admin, firstGroup.id), { code: 'GRP-001', statusCode: 404 })
    t.equal((await defaultGroupFor(app.db, admin))?.id, team.id, 'not in the default group: their oldest group')
  })

  t.test('other roles work in their groups that have an active sender', async (t) => {
    const sender = await principalFor('Sender', [team.id])
    t.same(await groupsUsableBy(app.db, sender), [])
    await t.rejects(assertCanUseGroup(app.db, sender, 'team'), { code: 'GRP-001' })
    t.equal(await defaultGroupFor(app.db, sender), undefined)

    const both = await principalFor('Read Only', [team.id, firstGroup.id])
    t.same(await groupsUsableBy(app.db, both), [firstGroup.id])
    t.equal((await defaultGroupFor(app.db, both))?.id, firstGroup.id)

    await created(api('PUT', `/senders/${pending.id}/status`, { status: 'active' }))
    t.same(await groupsUsableBy(app.db, sender), [team.id])
    t.equal((await assertCanUseGroup(app.db, sender, 'team')).id, team.id)
    t.equal((await defaultGroupFor(app.db, both))?.id, firstGroup.id, 'the default group first when usable')
    t.same(((await groupsUsableBy(app.db, both)) as string[]).sort(), [firstGroup.id, team.id].sort())
  })

  t.test('a group of another account is not found, even by its id', async (t) => {
    const other = await createTestAccount(app)
    const stranger: Principal = { accountId: other.accountId, credentialId: 'c', clientId: 'c', role: 'Administrator' }
    await t.rejects(assertCanUseGroup(app.db, stranger, team.id), { code: 'GRP-001' })
  })
})
