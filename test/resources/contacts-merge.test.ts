import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('mergeStrategy decides what a create does to an existing number', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const url = '/contacts'
  for (const name of ['jobTitle', 'city']) await api('POST', '/attributes/contacts', { name })

  let n = 0
  // A contact with every field set, then a second create of the same number with `strategy`.
  const mergeInto = async (strategy: string | undefined, payload: object) => {
    const number = `+1202555${String(300 + ++n).padStart(4, '0')}`
    const original = await api('POST', url, {
      firstName: 'Ann',
      lastName: 'Old',
      email: 'ann@old.example',
      mobile: { number, country: 'US' },
      tags: [
        { tag: 'keep', visible: true },
        { tag: 'shared', visible: true }
      ],
      attributes: { jobTitle: 'clerk', city: 'Boston' },
      assignedUser: { id: account.adminUserId }
    })
    const merged = await api('POST', strategy ? `${url}?mergeStrategy=${strategy}` : url, {
      mobile: { number, country: 'US' },
      ...payload
    })
    t.equal(merged.status, 201)
    t.equal(merged.body.data[0].id, original.body.data[0].id, 'the same contact')
    return merged.body.data[0]
  }
  const update = {
    lastName: 'New',
    tags: [
      { tag: 'shared', visible: false },
      { tag: 'added', visible: true }
    ],
    attributes: { jobTitle: 'manager' }
  }

  t.test('append (the default): fields given overwrite, others are kept, tags and attributes are added', async (t) => {
    const contact = await mergeInto(undefined, update)
    t.match(contact, { firstName: 'Ann', lastName: 'New', email: 'ann@old.example' })
    t.same(contact.tags, [
      { tag: 'keep', visible: true },
      { tag: 'shared', visible: false },
      { tag: 'added', visible: true }
    ])
    t.same(contact.attributes, { jobTitle: 'manager', city: 'Boston' })
    t.equal(contact.assignedUser.id, account.adminUserId)
    t.same(
      (await mergeInto('append', update)).attributes,
      { jobTitle: 'manager', city: 'Boston' },
      'explicit append is the same'
    )
  })

  t.test('core: only firstName, lastName, email and country change', async (t) => {
    const contact = await mergeInto('core', { ...update, firstName: 'Anne' })
    t.match(contact, { firstName: 'Anne', lastName: 'New', email: 'ann@old.example', mobile: { country: 'US' } })
    t.same(
      contact.tags,
      [
        { tag: 'keep', visible: true },
        { tag: 'shared', visible: true }
      ],
      'tags untouched'
    )
    t.same(contact.attributes, { jobTitle: 'clerk', city: 'Boston' }, 'attributes untouched')
    t.equal(contact.assignedUser.id, account.adminUserId)
  })

  t.test('remove: the contact becomes what was sent', async (t) => {
    const contact = await mergeInto('remove', update)
    t.equal(contact.lastName, 'New')
    t.notOk('firstName' in contact, 'a field not sent is cleared')
    t.notOk('email' in contact)
    t.same(
      contact.tags,
      [
        { tag: 'shared', visible: false },
        { tag: 'added', visible: true }
      ],
      'tags replaced'
    )
    t.same(contact.attributes, { jobTitle: 'manager' }, 'attributes not sent are cleared')
    t.equal(contact.assignedUser, null)
  })

  t.test('an unknown strategy is a 400', async (t) => {
    const response = await api('POST', `${url}?mergeStrategy=replace`, {
      mobile: { number: '+12025550399', country: 'US' }
    })
    t.equal(response.status, 400)
    t.match(response.body.error.message, /mergeStrategy/)
  })

  t.test('a merge is recorded as contact-updated', async (t) => {
    const events = await app.db
      .selectFrom('events')
      .select('event_type')
      .where('account_id', '=', account.accountId)
      .execute()
    t.equal(events.filter((event) => event.event_type === 'contact-updated').length, n)
    t.equal(events.filter((event) => event.event_type === 'contact-created').length, n)
  })
})
