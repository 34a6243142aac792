import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

// An import's events carry contacts PostgreSQL builds (contacts.repository.ts contactJson): they
// must be the contacts the API answers, in every state a contact can be in.
t.test('import events and answers carry the contact as GET /contacts/{id} shows it', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const user = await createTestUser(app, account.accountId, 'Administrator')
  await api('POST', '/attributes/contacts', { name: 'score', dataType: 'number' })
  await api('POST', '/attributes/contacts', { name: 'vip', dataType: 'boolean' })

  const create = async (number: string, as: Record<string, string> = account.headers) =>
    (
      await app.inject({
        method: 'POST',
        url: `/v1/accounts/${account.accountId}/contacts`,
        headers: as,
        payload: { mobile: { number, country: 'US' }, firstName: 'Old', tags: [{ tag: 'kept', visible: false }] }
      })
    ).json().data[0]
  const optedOut = await create('+12025550701')
  await api('POST', `/contacts/${optedOut.id}/opt-out`)
  const blocked = await create('+12025550702', user.headers)
  await api('POST', `/contacts/${blocked.id}/block`)
  const optedIn = await create('+12025550703')
  await api('POST', `/contacts/${optedIn.id}/opt-out`)
  await api('POST', `/contacts/${optedIn.id}/opt-in`)
  await api('POST', '/integrations/hubspot/contacts/sync', { records: [{ id: 5, phone: '+12025550704' }] })
  const forgotten = await create('+12025550705')
  await api('POST', `/contacts/${forgotten.id}/opt-out`)
  await api('DELETE', `/contacts/${forgotten.id}`)

  const before = await app.db
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirstOrThrow()
  const response = await api(
    'POST',
    '/contacts',
    'mobile,country,firstName,email,tags,score,vip,assignedUser\n' +
      `+12025550701,US,,,a|b,1.5,true,${user.email}\n` +
      '+12025550702,US,Blocked,b@example.com,,,,\n' +
      '+12025550703,US,,,,-3,false,\n' +
      '+12025550704,US,Linked,,,,,\n' +
      '+12025550705,US,Remembered,,,,,\n' +
      `+12025550706,US,New,n@example.com,x,1e21,,${user.userId}\n` +
      '+442071838750,,Bare,,,,,\n',
    { ...account.headers, 'content-type': 'text/csv' }
  )
  t.equal(response.status, 201)
  const answered = response.body.data.contacts as { id: string }[]
  t.equal(answered.length, 7)
  const events = await app.db
    .selectFrom('events')
    .select(['event_type', 'payload'])
    .where('account_id', '=', account.accountId)
    .where('seq', '>', before.seq ?? 0)
    .where('event_type', 'in', ['contact-created', 'contact-updated'])
    .orderBy('seq')
    .execute()
  t.equal(events.length, 7)
  const states = new Map<string, Record<string, unknown>>()
  for (const contact of answered) {
    const shown = (await api('GET', `/contacts/${contact.id}`)).body.data
    states.set(shown.mobile.number, shown)
    t.same(contact, shown, `answer for ${shown.mobile.number}`)
    const event = events.find((candidate) => (candidate.payload as { id: string }).id === contact.id)
    t.same(event?.payload, shown, `event for ${shown.mobile.number}`)
  }
  t.match(states.get('+12025550701'), { valid: false, error: { code: 'CONT-010' }, assignedUser: { id: user.userId } })
  t.match(states.get('+12025550702'), { valid: false, blocked: String, created: { by: { firstName: 'Test' } } })
  t.match(states.get('+12025550703'), { valid: true, optIn: String })
  t.match(states.get('+12025550704'), { integrations: { hubspot: { id: '5' } } })
  t.match(states.get('+12025550705'), { optedOut: String }, 'a remembered opt-out is restored')
  t.same(
    events.map((event) => event.event_type),
    [...Array<string>(4).fill('contact-updated'), ...Array<string>(3).fill('contact-created')],
    'in number order; only new numbers are created'
  )
})
