import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount } from '../helpers/fixtures.ts'
import { quickSandbox, sandboxSender } from '../helpers/messaging.ts'

const AWAY = 'We are out of the office and will answer tomorrow.'
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

t.test('out-of-office replies', async (t) => {
  // Two instances on one database: the concurrent inbound messages arrive through both.
  const env = { ...quickSandbox, PARLEY_HELP_TEXT: 'Acme help line.', DATABASE_URL: await createTestDatabase(t) }
  const app = await buildTestApp(t, env)
  const secondApp = await buildTestApp(t, env)

  async function setup(officeHours: Record<string, unknown>) {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const group = await created(api('POST', '/groups', { name: 'Support', officeHours }))
    const sender = await sandboxSender(app, account, { groupId: group.id })
    const second = caller(secondApp, account)
    const inject = (message: string, from: string, through = api) =>
      created(through('POST', '/sandbox/inbound', { from, to: sender.number, message }))
    const awayReplies = async (conversationId: string) =>
      (
        await app.db
          .selectFrom('messages')
          .select(['id', 'created_by'])
          .where('conversation_id', '=', conversationId)
          .where('outgoing', '=', true)
          .where('body', '=', AWAY)
          .execute()
      ).length
    return { account, api, second, group, inject, awayReplies }
  }
  const always = { mode: 'on', message: AWAY, timezone: 'UTC', schedule: [] }

  t.test('one reply per conversation per away period, however many arrive at once', async (t) => {
    const { api, second, group, inject, awayReplies } = await setup(always)
    const burst = await Promise.all(
      ['one', 'two', 'three', 'four', 'five', 'six'].map((text, index) =>
        inject(`Are you there? ${text}`, '+12025551301', index % 2 === 0 ? api : second)
      )
    )
    const replies = burst.flatMap((received) => received.reply ?? [])
    t.equal(replies.length, 1, 'exactly one of the concurrent inbound messages was answered')
    t.match(replies[0], {
      message: AWAY,
      outgoing: true,
      conversation: { id: burst[0].message.conversation.id },
      created: { by: { id: 'system', source: 'system' } }
    })
    const conversationId = burst[0].message.conversation.id
    t.equal(await awayReplies(conversationId), 1)
    t.notOk((await inject('Hello again', '+12025551301')).reply, 'not again in the same period')
    t.ok((await inject('Someone else', '+12025551302')).reply, 'another conversation gets its own')

    await created(api('PUT', `/groups/${group.id}`, { name: 'Support', officeHours: always }))
    t.match(
      (await inject('And now?', '+12025551301')).reply,
      { message: AWAY },
      'saving the setting starts a new period'
    )
    t.equal(await awayReplies(conversationId), 2)
  })

  t.test('keywords get their own answer, never the away message', async (t) => {
    const { inject, awayReplies } = await setup(always)
    const help = await inject('HELP', '+12025551311')
    t.match(help, { keyword: 'help', reply: { message: 'Acme help line.' } })
    const conversationId = help.message.conversation.id
    t.match(await inject('start', '+12025551311'), { keyword: 'opt-in' })
    const stop = await inject('STOP', '+12025551311')
    t.equal(stop.keyword, 'opt-out')
    t.equal(await awayReplies(conversationId), 0)
    t.notOk((await inject('Just one more thing', '+12025551311')).reply, 'an opted-out contact gets no away message')
    t.equal(await awayReplies(conversationId), 0)
  })

  t.test('scheduled office hours: away outside the schedule in its time zone', async (t) => {
    const today = WEEKDAYS[(new Date().getUTCDay() + 6) % 7]!
    const notToday = WEEKDAYS[(new Date().getUTCDay() + 9) % 7]!
    const closed = await setup({
      mode: 'scheduled',
      message: AWAY,
      timezone: 'UTC',
      schedule: [{ day: notToday, start: '00:00', end: '24:00' }]
    })
    t.match((await closed.inject('Anyone?', '+12025551321')).reply, { message: AWAY })
    const open = await setup({
      mode: 'scheduled',
      message: AWAY,
      timezone: 'UTC',
      schedule: [{ day: today, start: '00:00', end: '24:00' }]
    })
    t.notOk((await open.inject('Anyone?', '+12025551322')).reply, 'in office: no reply')
    const off = await setup({ ...always, mode: 'off' })
    t.notOk((await off.inject('Anyone?', '+12025551323')).reply)
  })
})
