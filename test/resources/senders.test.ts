import t from 'tap'
import { buildTestApp, twilioMainEnv } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'

t.test('senders', async (t) => {
  const app = await buildTestApp(t, twilioMainEnv)

  t.test('create parses the number with its country and dialling code; defaults', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const number = uniqueNumber()
    const { status, body } = await api('POST', '/senders', { number })
    t.equal(status, 201)
    t.match(body.data, {
      number,
      country: 'US',
      diallingCode: '+1',
      type: 'local',
      capabilities: ['SMS'],
      carrier: 'sandbox',
      throughput: null,
      status: 'unverified',
      created: { by: { name: 'API client' } }
    })
    t.same((await api('GET', `/senders/${body.data.id}`)).body.data, body.data, 'stored as answered')
  })

  t.test('national numbers with a country, and every field set', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const sender = await created(
      api('POST', '/senders', {
        number: '020 7946 0123',
        country: 'gb',
        type: 'local',
        capabilities: ['SMS', 'MMS'],
        carrier: 'twilio-main',
        throughput: 2.5,
        status: 'active'
      })
    )
    t.match(sender, {
      number: '+442079460123',
      country: 'GB',
      diallingCode: '+44',
      capabilities: ['SMS', 'MMS'],
      carrier: 'twilio-main',
      throughput: 2.5,
      status: 'active'
    })
  })

  t.test('short codes and alphanumeric sender ids take their dialling code from the country', async (t) => {
    const api = caller(app, await createTestAccount(app))
    t.match(await created(api('POST', '/senders', { number: 'PARLEY', type: 'alphanumeric', country: 'GB' })), {
      number: 'PARLEY',
      country: 'GB',
      diallingCode: '+44'
    })
    t.match(await created(api('POST', '/senders', { number: '87654', type: 'shortcode', country: 'US' })), {
      number: '87654',
      diallingCode: '+1'
    })
    const noCountry = await api('POST', '/senders', { number: 'ACME', type: 'alphanumeric' })
    t.equal(noCountry.body.error.code, 'SNDR-004')
    t.match(noCountry.body.error.message, /country/)
  })

  t.test('invalid input names the field (400)', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const cases: Array<[object, string, RegExp]> = [
      [{}, 'REQ-001', /body\.number is required/],
      [{ number: '12' }, 'SNDR-004', /not a possible phone number/],
      [{ number: 'TOO LONG SENDER', type: 'alphanumeric', country: 'GB' }, 'SNDR-004', /11 letters/],
      [{ number: uniqueNumber(), type: 'landline' }, 'REQ-001', /body\.type/],
      [{ number: uniqueNumber(), capabilities: [] }, 'REQ-001', /body\.capabilities/],
      [{ number: uniqueNumber(), capabilities: ['SMS', 'SMS'] }, 'REQ-001', /body\.capabilities/],
      [{ number: uniqueNumber(), throughput: 0 }, 'REQ-001', /body\.throughput/],
      [{ number: uniqueNumber(), status: 'registered' }, 'REQ-001', /body\.status/],
      [{ number: uniqueNumber(), carrier: 'Bad Carrier' }, 'REQ-001', /body\.carrier/]
    ]
    for (const [payload, code, message] of cases) {
      const { status, body } = await api('POST', '/senders', payload)
      t.equal(status, 400, JSON.stringify(payload))
      t.equal(body.error.code, code)
      t.match(body.error.message, message)
    }
    t.equal((await api('GET', '/senders')).body.pagination.totalCount, 0)
  })

  t.test('a number is a sender of one account in the whole installation (409 SNDR-002)', async (t) => {
    const number = uniqueNumber()
    const first = caller(app, await createTestAccount(app))
    await created(first('POST', '/senders', { number }))
    const again = await first('POST', '/senders', { number: number.slice(2), country: 'US' })
    t.equal(again.status, 409)
    t.equal(again.body.error.code, 'SNDR-002')
    const other = await caller(app, await createTestAccount(app))('POST', '/senders', { number })
    t.equal(other.status, 409)
    t.equal(other.body.error.code, 'SNDR-002')
  })

  t.test('the first sender joins the default group; later ones stay ungrouped', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const [defaultGroup] = (await api('GET', '/groups')).body.data
    const first = await created(api('POST', '/senders', { number: uniqueNumber() }))
    t.same(first.group, { id: defaultGroup.id, name: 'My First Group' })
    t.equal((await created(api('POST', '/senders', { number: uniqueNumber('+44') }))).group, null)
    t.same((await api('GET', `/groups/${defaultGroup.id}`)).body.data.senders, [
      { id: first.id, number: first.number, diallingCode: '+1', status: 'unverified' }
    ])
  })

  t.test('PUT changes the given fields; the number stays; the type must fit the number', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const sender = await created(api('POST', '/senders', { number: uniqueNumber(), throughput: 10 }))
    const { body } = await api('PUT', `/senders/${sender.id}`, {
      type: 'tollfree',
      capabilities: ['MMS', 'SMS'],
      number: '+19999999999'
    })
    t.match(body.data, { number: sender.number, type: 'tollfree', capabilities: ['MMS', 'SMS'], throughput: 10 })
    t.equal((await api('PUT', `/senders/${sender.id}`, { throughput: null })).body.data.throughput, null)
    const misfit = await api('PUT', `/senders/${sender.id}`, { type: 'alphanumeric' })
    t.equal(misfit.body.error.code, 'SNDR-004')
    t.equal((await api('PUT', '/senders/nothing', { carrier: 'sandbox' })).body.error.code, 'SNDR-001')
  })

  t.test('an Administrator moves the status through registration, any way', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const sender = await created(api('POST', '/senders', { number: uniqueNumber() }))
    for (const status of ['verified', 'pending', 'rejected', 'pending', 'active']) {
      t.equal((await api('PUT', `/senders/${sender.id}/status`, { status })).body.data.status, status)
    }
    t.equal((await api('PUT', `/senders/${sender.id}/status`, { status: 'registered' })).status, 400)
  })

  t.test('delete is soft: the sender leaves its group and the number can be added again', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const sender = await created(api('POST', '/senders', { number: uniqueNumber() }))
    t.ok(sender.group)
    t.same((await api('DELETE', `/senders/${sender.id}`)).body, { success: true })
    t.equal((await api('GET', `/senders/${sender.id}`)).status, 404)
    t.same((await api('GET', `/groups/${sender.group.id}`)).body.data.senders, [])
    t.equal((await api('DELETE', `/senders/${sender.id}`)).body.error.code, 'SNDR-001')
    const row = await app.db
      .selectFrom('senders')
      .select(['deleted_at', 'group_id'])
      .where('id', '=', sender.id)
      .executeTakeFirstOrThrow()
    t.ok(row.deleted_at, 'the row stays for the messages sent from it')
    t.equal((await api('POST', '/senders', { number: sender.number })).status, 201)
  })

  t.test('list pagination', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const numbers = [uniqueNumber(), uniqueNumber(), uniqueNumber()]
    for (const number of numbers) await created(api('POST', '/senders', { number }))
    const { body } = await api('GET', '/senders?offset=1&limit=1')
    t.same(
      body.data.map((sender: { number: string }) => sender.number),
      [numbers[1]]
    )
    t.same(body.pagination, { offset: 1, limit: 1, totalCount: 3, hasNext: true })
  })

  t.test('a carrier that is not configured is refused on create and change, and nothing changes', async (t) => {
    const api = caller(app, await createTestAccount(app))
    const number = uniqueNumber()
    const refused = await api('POST', '/senders', { number, carrier: 'smpp-nowhere' })
    t.equal(refused.status, 400)
    t.match(refused.body, { success: false, error: { code: 'SNDR-005', message: /smpp-nowhere.*sandbox/ } })
    t.equal((await api('GET', '/senders')).body.data.length, 0, 'nothing created')
    const sender = await created(api('POST', '/senders', { number }))
    const changed = await api('PUT', `/senders/${sender.id}`, { carrier: 'smpp-nowhere' })
    t.equal(changed.status, 400)
    t.equal(changed.body.error.code, 'SNDR-005')
    t.equal((await created(api('GET', `/senders/${sender.id}`))).carrier, 'sandbox', 'unchanged')
  })
})
