import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'

t.test('groups', async (t) => {
  const app = await buildTestApp(t)

  t.test('an account is created with "My First Group", the default, holding its first user', async (t) => {
    const account = await createTestAccount(app)
    const { status, body } = await caller(app, account)('GET', '/groups')
    t.equal(status, 200)
    t.equal(body.pagination.totalCount, 1)
    const [group] = body.data
    t.match(group, {
      name: 'My First Group',
      isDefault: true,
      senders: [],
      users: [{ id: account.adminUserId, role: 'Administrator' }]
    })
    t.match(group.apiCode, /^my-first-group-[0-9a-f]{4}$/)
  })

  t.test('create with defaults; the API code comes from the name', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const { status, body } = await api('POST', '/groups', { name: 'Marketing (+12345678901)' })
    t.equal(status, 201)
    t.match(body.data, {
      name: 'Marketing (+12345678901)',
      color: null,
      callForwarding: null,
      isDefault: false,
      tags: [],
      senders: [],
      users: [],
      officeHours: { mode: 'off', message: '', timezone: 'UTC', schedule: [] },
      created: { by: { name: 'API client' } }
    })
    t.match(body.data.apiCode, /^marketing-12345678901-[0-9a-f]{4}$/)
    t.same((await api('GET', `/groups/${body.data.id}`)).body.data, body.data, 'stored as answered')
  })

  t.test('every field can be set, and is read back', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const officeHours = {
      mode: 'scheduled',
      message: 'We are closed',
      timezone: 'America/New_York',
      schedule: [
        { day: 'mon', start: '09:00', end: '17:30' },
        { day: 'sat', start: '22:00', end: '24:00' }
      ]
    }
    const group = await created(
      api('POST', '/groups', {
        name: 'Admissions',
        apiCode: 'ADM',
        color: '#FF8800',
        callForwarding: '+1 (234) 567-8901',
        tags: ['hubspot', 'hubspot', 'east'],
        officeHours
      })
    )
    t.match(group, {
      apiCode: 'ADM',
      color: '#FF8800',
      callForwarding: '+12345678901',
      tags: ['hubspot', 'east'],
      officeHours
    })
  })

  t.test('the API code is accepted wherever the id is, case-insensitively', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const group = await created(api('POST', '/groups', { name: 'Support', apiCode: 'Support-Team' }))
    t.equal((await api('GET', '/groups/support-team')).body.data.id, group.id)
    t.equal((await api('PUT', '/groups/SUPPORT-TEAM', { color: '#000000' })).body.data.color, '#000000')
    const user = await created(api('POST', '/users', { email: 'sam@example.com', role: 'Sender' }))
    t.equal((await api('PUT', `/groups/support-team/users/${user.id}`)).status, 200)
    t.equal((await api('DELETE', '/groups/Support-Team')).status, 200)
    t.equal((await api('GET', `/groups/${group.id}`)).body.error.code, 'GRP-001')
  })

  t.test(
    'API codes are unique per account, case-insensitively (409 GRP-002), and free in other accounts',
    async (t) => {
      const api = caller(app, await createTestAccount(app))
      await created(api('POST', '/groups', { name: 'A', apiCode: 'sales' }))
      const duplicate = await api('POST', '/groups', { name: 'B', apiCode: 'SALES' })
      t.equal(duplicate.status, 409)
      t.equal(duplicate.body.error.code, 'GRP-002')
      const other = await created(api('POST', '/groups', { name: 'C' }))
      t.equal((await api('PUT', `/groups/${other.id}`, { apiCode: 'Sales' })).body.error.code, 'GRP-002')
      t.equal((await api('GET', '/groups')).body.pagination.totalCount, 3, 'nothing was created by the refused call')

      const elsewhere = caller(app, await createTestAccount(app))
      t.equal((await elsewhere('POST', '/groups', { name: 'A', apiCode: 'sales' })).status, 201)
    }
  )

  t.test('validation names the field', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const cases: Array<[object, string, RegExp]> = [
      [{}, 'REQ-001', /body\.name is required/],
      [{ name: 'x', color: 'red' }, 'REQ-001', /body\.color/],
      [{ name: 'x', apiCode: 'has space' }, 'REQ-001', /body\.apiCode/],
      [
        { name: 'x', officeHours: { mode: 'off', message: '', timezone: 'Mars/Olympus', schedule: [] } },
        'GRP-007',
        /officeHours\.timezone/
      ],
      [
        {
          name: 'x',
          officeHours: {
            mode: 'scheduled',
            message: '',
            timezone: 'UTC',
            schedule: [{ day: 'mon', start: '17:00', end: '09:00' }]
          }
        },
        'GRP-007',
        /officeHours\.schedule\.0\.end/
      ],
      [
        {
          name: 'x',
          officeHours: {
            mode: 'scheduled',
            message: '',
            timezone: 'UTC',
            schedule: [{ day: 'someday', start: '09:00', end: '17:00' }]
          }
        },
        'REQ-001',
        /day/
      ],
      [{ name: 'x', callForwarding: '12' }, 'GRP-008', /callForwarding/]
    ]
    for (const [payload, code, message] of cases) {
      const { status, body } = await api('POST', '/groups', payload)
      t.equal(status, 400, JSON.stringify(payload))
      t.equal(body.error.code, code)
      t.match(body.error.message, message)
    }
    t.equal((await api('GET', '/groups')).body.pagination.totalCount, 1)
  })

  t.test('PUT changes only the fields given; callForwarding null clears it', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const group = await created(api('POST', '/groups', { name: 'Team', callForwarding: '+442071838750', tags: ['a'] }))
    const { body } = await api('PUT', `/groups/${group.id}`, { name: 'Team (+12345678901)' })
    t.match(body.data, {
      name: 'Team (+12345678901)',
      callForwarding: '+442071838750',
      tags: ['a'],
      apiCode: group.apiCode
    })
    t.equal((await api('PUT', `/groups/${group.id}`, { callForwarding: null })).body.data.callForwarding, null)
    t.equal((await api('PUT', '/groups/nope', { name: 'x' })).body.error.code, 'GRP-001')
  })

  t.test('the default moves with isDefault: true; it cannot be unset or deleted', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const [first] = (await api('GET', '/groups')).body.data
    const unset = await api('PUT', `/groups/${first.id}`, { isDefault: false })
    t.equal(unset.status, 409)
    t.equal(unset.body.error.code, 'GRP-005')
    const deleteDefault = await api('DELETE', `/groups/${first.id}`)
    t.equal(deleteDefault.status, 409)
    t.equal(deleteDefault.body.error.code, 'GRP-004')

    const second = await created(api('POST', '/groups', { name: 'Second', isDefault: true }))
    t.equal(second.isDefault, true)
    t.equal((await api('GET', `/groups/${first.id}`)).body.data.isDefault, false, 'the old default gave up the flag')
    const third = await created(api('POST', '/groups', { name: 'Third' }))
    t.equal((await api('PUT', `/groups/${third.id}`, { isDefault: true })).body.data.isDefault, true)
    const defaults = (await api('GET', '/groups')).body.data.filter((group: { isDefault: boolean }) => group.isDefault)
    t.same(
      defaults.map((group: { id: string }) => group.id),
      [third.id],
      'exactly one default'
    )
    t.equal((await api('DELETE', `/groups/${first.id}`)).status, 200, 'no longer the default: it can go')
  })

  t.test('deleting a group releases its senders and drops its memberships, keeping users', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const group = await created(api('POST', '/groups', { name: 'Temp' }))
    await created(api('POST', '/senders', { number: uniqueNumber() })) // the first sender goes to My First Group
    const sender = await created(api('POST', '/senders', { number: uniqueNumber() }))
    const user = await created(api('POST', '/users', { email: 'temp@example.com', role: 'Sender' }))
    await created(api('PUT', `/groups/${group.id}/senders/${sender.id}`))
    await created(api('PUT', `/groups/${group.id}/users/${user.id}`))
    t.equal((await api('DELETE', `/groups/${group.id}`)).body.success, true)
    t.equal((await api('GET', `/senders/${sender.id}`)).body.data.group, null)
    t.same((await api('GET', `/users/${user.id}`)).body.data.groups, [])
    t.equal((await api('DELETE', `/groups/${group.id}`)).body.error.code, 'GRP-001')
  })

  t.test('list pagination', async (t) => {
    const api = caller(app, await createTestAccount(app))
    for (const name of ['B', 'C', 'D']) await created(api('POST', '/groups', { name }))
    const { body } = await api('GET', '/groups?offset=1&limit=2')
    t.same(
      body.data.map((group: { name: string }) => group.name),
      ['B', 'C']
    )
    t.same(body.pagination, { offset: 1, limit: 2, totalCount: 4, hasNext: true })
  })
})
