import { PassThrough } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { tasks } from '../../src/jobs/tasks.ts'
import { caller, created, uniqueNumber } from '../helpers/api.ts'
import { createTestDatabase } from '../helpers/database.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { eventually, quickSandbox, sandboxSender } from '../helpers/messaging.ts'
import { smtpEnv, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts'

// Mail leaves through a real SMTP server (the smtp-server package on a loopback port), queued in the
// database and sent by the mail-send task (src/jobs/mail-send.ts).

async function mailingApp(
  t: { teardown: (fn: () => unknown) => void },
  sink: SmtpSink,
  env: Record<string, string> = {}
) {
  const lines: string[] = []
  const logStream = new PassThrough()
  logStream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)))
  const config = loadConfig({
    ...quickSandbox,
    ...smtpEnv(sink),
    ...env,
    DATABASE_URL: await createTestDatabase(t),
    DATABASE_POOL_SIZE: '4',
    LOG_LEVEL: 'info',
    PARLEY_JWT_SECRET: 'test-signing-secret-that-is-long-enough-0123456789'
  })
  const app = await buildApp(config, { logStream, tasks })
  t.teardown(() => app.close())
  await app.ready()
  return { app, lines }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 2500))

t.test("a sender's registration completing mails each Administrator: text, HTML and link", async (t) => {
  const sink = await startSmtpSink(t)
  const { app, lines } = await mailingApp(t, sink)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const second = await createTestUser(app, account.accountId, 'Administrator')
  await createTestUser(app, account.accountId, 'Sender')
  const number = uniqueNumber()
  const sender = await created(api('POST', '/senders', { number, status: 'pending' }))
  t.equal(sink.mails.length, 0, 'adding a sender mails no one')

  await created(api('PUT', `/senders/${sender.id}/status`, { status: 'active' }))
  await eventually(
    async () => sink.mails.length,
    (count) => count >= 2
  )
  await settle()
  t.equal(sink.mails.length, 2, 'one mail to each Administrator, none to the Sender user')
  const byRecipient = new Map(sink.mails.map((mail) => [mail.to && 'text' in mail.to ? mail.to.text : '', mail]))
  const firstAdmin = await created(api('GET', `/users/${account.adminUserId}`))
  t.same([...byRecipient.keys()].sort(), [firstAdmin.email, second.email].sort(), 'to both Administrators')
  const mail = byRecipient.get(second.email)
  t.equal(mail!.from?.text, '"Parley" <parley@example.com>')
  t.equal(mail!.subject, `Sender ${number} is registered and can send`)
  t.match(mail!.text, `The carrier registration of sender ${number} is complete`)
  t.match(mail!.text, 'Users of the group My First Group now see its inbox')
  t.match(mail!.text, 'Open the inbox: https://parley.example.com/inbox\n')
  t.match(mail!.html, '<a href="https:&#x2F;&#x2F;parley.example.com&#x2F;inbox">Open the inbox</a>')
  t.match(mail!.messageId, /^<.+@parley\.example\.com>$/)

  const listed = await created(api('GET', '/mail'))
  t.equal(listed.length, 2)
  t.match(listed, [
    { kind: 'sender-registered', status: 'sent', attempts: 1, lastError: null, sentAt: String },
    { kind: 'sender-registered', status: 'sent', attempts: 1, lastError: null, sentAt: String }
  ])
  t.equal(listed.find((row: { to: string }) => row.to === second.email).text, mail!.text, 'the API shows what was sent')

  await created(api('PUT', `/senders/${sender.id}/status`, { status: 'active' }))
  await created(api('PUT', `/senders/${sender.id}/status`, { status: 'rejected' }))
  await settle()
  t.equal(sink.mails.length, 2, 'staying active, or being rejected, mails no one')

  const logged = lines.join('\n')
  t.match(lines.filter((line) => line.includes('"mail sent"')).length, 2, 'each sending is logged')
  t.notOk(logged.includes('parley.example.com/inbox'), 'no link in the logs')
  t.notOk(logged.includes(second.email), 'no recipient in the logs')
  t.notOk(logged.includes('is registered and can send'), 'no subject in the logs')
})

t.test('a refusing SMTP server delays the mail; it is retried and delivered once', async (t) => {
  const sink = await startSmtpSink(t, ['MAIL', 'DATA'])
  const { app, lines } = await mailingApp(t, sink)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const support = await sandboxSender(app, account)
  const alice = await createTestUser(app, account.accountId, 'Sender')
  await created(api('PUT', `/groups/${support.groupId}/users/${alice.userId}`))
  const sent = await created(
    api('POST', '/messages', {
      contacts: [{ mobile: { number: '+12025557101' }, firstName: 'Tom & <b>Jerry</b>' }],
      template: 'Hi'
    })
  )
  const conversationId = sent.messages[0].conversation.id as string

  await created(api('PUT', `/conversations/${conversationId}/assignee`, { userId: alice.userId }))
  const refused = await eventually(
    async () => (await created(api('GET', '/mail')))[0],
    (mail) => mail?.attempts >= 1
  )
  t.match(refused, { kind: 'conversation-assigned', to: alice.email, status: 'pending', lastError: /451/ })

  await eventually(
    async () => sink.mails.length,
    (count) => count >= 1
  )
  await settle()
  t.equal(sink.mails.length, 1, 'delivered once')
  t.same(sink.answers, ['MAIL 451', 'MAIL 250', 'DATA 451', 'MAIL 250', 'DATA 250'], 'refused twice, then taken')
  const [stored] = await created(api('GET', '/mail'))
  t.match(stored, { status: 'sent', attempts: 3, lastError: null })

  const [mail] = sink.mails
  const link = `https://parley.example.com/inbox/conversations/${conversationId}`
  t.equal(mail!.subject, 'API client assigned you the conversation with Tom & <b>Jerry</b>')
  t.match(mail!.text, `API client assigned you the conversation with Tom & <b>Jerry</b> in My First Group.`)
  t.match(mail!.text, `Open the conversation: ${link}\n`)
  t.match(mail!.html, 'assigned you the conversation with Tom &amp; &lt;b&gt;Jerry&lt;&#x2F;b&gt; in My First Group.')
  t.notOk(String(mail!.html).includes('<b>Jerry'), 'the contact name adds no markup')
  t.match(mail!.html, `<a href="${link.replaceAll('/', '&#x2F;')}">Open the conversation</a>`)
  t.match(
    lines.filter((line) => line.includes('"mail refused"')).map((line) => JSON.parse(line)),
    [
      { attempt: 1, responseCode: 451 },
      { attempt: 2, responseCode: 451 }
    ],
    'each refusal is logged with the server code'
  )
  t.notOk(lines.join('\n').includes('parley.example.com/inbox'), 'no link in the logs')
})

t.test('a mail the server refuses through every retry is marked failed, and kept', async (t) => {
  const sink = await startSmtpSink(t, ['MAIL', 'MAIL', 'MAIL', 'MAIL'])
  const { app } = await mailingApp(t, sink, { PARLEY_MAIL_RETRY_LIMIT: '1' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const sender = await created(api('POST', '/senders', { number: uniqueNumber(), status: 'pending' }))
  await created(api('PUT', `/senders/${sender.id}/status`, { status: 'active' }))
  const [failed] = await eventually(
    async () => await created(api('GET', '/mail')),
    (mails) => mails[0]?.status === 'failed'
  )
  t.match(failed, { status: 'failed', attempts: 2, lastError: /451/, sentAt: null, text: /https:\/\/parley/ })
  await settle()
  t.same(sink.answers, ['MAIL 451', 'MAIL 451'], 'the first try and one retry, then no more')
  t.equal(sink.mails.length, 0)
})
