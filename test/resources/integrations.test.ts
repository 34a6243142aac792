import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('integration contact sync follows the rule of docs/api/integrations.md', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const sync = (records: object[], integration = 'hubspot') =>
    api('POST', `/integrations/${integration}/contacts/sync`, { records })

  t.test('a shared number is linked to the record with the lowest id; the other is reported', async (t) => {
    const response = await sync([
      { id: 321, phone: '+12345678901', firstName: 'Later', lastName: 'Record' },
      {
        id: 123,
        phone: '(234) 567-8901',
        country: 'US',
        firstName: 'Chris',
        lastName: 'First',
        email: 'chris@example.com'
      },
      { id: '99', phone: '+12025550601', firstName: 'Solo' },
      { id: 7, phone: 'garbage', country: 'US' }
    ])
    t.equal(response.status, 200)
    const data = response.body.data
    t.equal(data.submitted, 4)
    t.same(data.linked.map((link: { externalId: string }) => link.externalId).sort(), ['123', '99'])
    t.same(data.notLinked, [
      {
        externalId: '321',
        mobile: '+12345678901',
        linkedTo: '123',
        error: { code: 'INT-003', description: '+12345678901 is synced with hubspot record 123' }
      }
    ])
    t.equal(data.errors[0].externalId, '7')
    t.equal(data.errors[0].error.code, 'CONT-001')

    const chris = data.linked.find((link: { externalId: string }) => link.externalId === '123')
    const contact = (await api('GET', `/contacts/${chris.contactId}`)).body.data
    t.match(contact, {
      firstName: 'Chris',
      lastName: 'First',
      email: 'chris@example.com',
      mobile: { number: '+12345678901' },
      integrations: { hubspot: { id: '123' } }
    })
    t.match(contact.created.by, { source: 'integration', subSource: 'hubspot' })
  })

  t.test('ids are compared as numbers, not as text', async (t) => {
    const data = (
      await sync([
        { id: '1000', phone: '+12025550610' },
        { id: '999', phone: '+12025550610' }
      ])
    ).body.data
    t.equal(data.linked[0].externalId, '999')
    t.equal(data.notLinked[0].externalId, '1000')
  })

  t.test('later batches update linked contacts, add new numbers, and never move a synced number', async (t) => {
    const data = (
      await sync([
        { id: 123, phone: '+12345678901', firstName: 'Christopher' },
        { id: 50, phone: '+12345678901', firstName: 'Lower but late' },
        { id: 400, phone: '+12025550620', firstName: 'New' }
      ])
    ).body.data
    t.same(
      data.linked.map((link: { externalId: string; created: boolean }) => [link.externalId, link.created]).sort(),
      [
        ['123', false],
        ['400', true]
      ]
    )
    t.match(data.notLinked, [{ externalId: '50', linkedTo: '123' }])
    const list = (await api('GET', '/contacts?mobile=2345678901')).body
    t.equal(list.pagination.totalCount, 1)
    t.match(list.data[0], { firstName: 'Christopher', lastName: 'First', integrations: { hubspot: { id: '123' } } })
  })

  t.test('a contact created by hand is linked when its number syncs; integrations are independent', async (t) => {
    const manual = (await api('POST', '/contacts', { firstName: 'Manual', mobile: { number: '+12025550630' } })).body
      .data[0]
    const data = (await sync([{ id: 'deal-1', phone: '+12025550630' }], 'pipedrive')).body.data
    t.match(data.linked, [{ contactId: manual.id, created: false }])
    await sync([{ id: 'x9', phone: '+12345678901' }], 'pipedrive')
    const contact = (await api('GET', '/contacts?mobile=2345678901')).body.data[0]
    t.same(contact.integrations, { hubspot: { id: '123' }, pipedrive: { id: 'x9' } })
    const events = await app.db
      .selectFrom('events')
      .select('payload')
      .where('account_id', '=', account.accountId)
      .where('event_type', '=', 'contact-updated')
      .execute()
    t.ok(
      events.some(
        (event) =>
          (event.payload as { integrations: object }).integrations &&
          'pipedrive' in (event.payload as { integrations: object }).integrations
      ),
      'events show the link'
    )
  })

  t.test('a record id given twice in one batch is refused before anything is written', async (t) => {
    const response = await sync([
      { id: 800, phone: '+12025550650' },
      { id: '800', phone: '+12025550651' }
    ])
    t.equal(response.status, 400)
    t.equal(response.body.error.code, 'REQ-001')
    t.match(response.body.error.message, /records\[1\]\.id 800 appears earlier/)
    const list = (await api('GET', '/contacts?mobile=202555065')).body
    t.equal(list.pagination.totalCount, 0)
  })

  t.test('validation and roles', async (t) => {
    const badName = await sync([{ id: 1, phone: '+12025550640' }], 'Not Valid')
    t.equal(badName.status, 400)
    const empty = await sync([])
    t.equal(empty.status, 400)
    const sender = await createTestUser(app, account.accountId, 'Sender')
    const refused = await api(
      'POST',
      '/integrations/hubspot/contacts/sync',
      { records: [{ id: 1, phone: '+12025550640' }] },
      sender.headers
    )
    t.equal(refused.body.error.code, 'ACCT-016')
  })
})
