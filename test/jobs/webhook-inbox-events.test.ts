import t from 'tap'
import { caller, created } from '../helpers/api.ts'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { eventually, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { quickWebhooks, startReceiver } from '../helpers/webhook-receiver.ts'

const inboxTypes = [
  'conversation-read',
  'conversation-locked',
  'conversation-lock-extended',
  'conversation-lock-released',
  'conversation-assigned',
  'sender-status-changed'
]

t.test("the inbox's lock, read and assignment events and sender status changes reach subscribers", async (t) => {
  const app = await buildTestApp(t, { ...quickSandbox, ...quickWebhooks })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const sender = await sandboxSender(app, account)
  const alice = await createTestUser(app, account.accountId, 'Sender')
  await created(api('PUT', `/groups/${sender.groupId}/users/${alice.userId}`))
  const receiver = await startReceiver(t)
  const webhook = await created(api('POST', '/webhooks', { url: receiver.url, eventTypes: inboxTypes }))
  receiver.secrets.push(webhook.secret)

  const sent = await created(
    api('POST', '/messages', { contacts: [{ mobile: { number: '+12025556601' } }], template: 'Hi' })
  )
  const conversationId = sent.messages[0].conversation.id
  await created(api('POST', `/conversations/${conversationId}/read`, undefined, alice.headers))
  await created(api('POST', `/conversations/${conversationId}/lock`, undefined, alice.headers))
  await created(api('POST', `/conversations/${conversationId}/lock`, undefined, alice.headers))
  await created(api('DELETE', `/conversations/${conversationId}/lock`, undefined, alice.headers))
  await created(api('PUT', `/conversations/${conversationId}/assignee`, { userId: alice.userId }))
  await created(api('PUT', `/senders/${sender.senderId}`, { status: 'pending' }))

  await eventually(
    async () => receiver.delivered.length,
    (count) => count >= inboxTypes.length
  )
  t.same(
    receiver.delivered.map((event) => event.eventType),
    inboxTypes,
    'each type, once, in the order of the changes'
  )
  t.same(receiver.unverified, [])
  const byType = new Map(receiver.delivered.map((event) => [event.eventType, event.payload]))
  t.match(byType.get('conversation-locked'), { id: conversationId, lock: { user: { id: alice.userId } } })
  t.match(byType.get('conversation-assigned'), { id: conversationId, assignedUser: { id: alice.userId } })
  t.match(byType.get('sender-status-changed'), { id: sender.senderId, status: 'pending', previousStatus: 'active' })
})
