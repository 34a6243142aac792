import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import twilio from 'twilio'
import { Value } from 'typebox/value'
import type { Submission } from '../../src/carriers/carrier.ts'
import { createTwilioCarrier } from '../../src/carriers/twilio/twilio-carrier.ts'
import { TwilioSettings } from '../../src/carriers/twilio/twilio.settings.ts'
import { startPrism } from '../helpers/prism.ts'

const accountSid = 'AC0123456789abcdef0123456789abcdef'
const authToken = 'twilio-auth-token-for-tests'
const publicUrl = 'https://parley.example.com'

const submission: Submission = {
  idempotencyKey: 'msg-1',
  accountId: 'account-1',
  from: '+12025550100',
  to: '+12025550199',
  text: 'Your table is ready',
  type: 'SMS',
  media: []
}

t.test('settings', async (t) => {
  t.ok(Value.Check(TwilioSettings, { type: 'twilio', accountSid, authToken }))
  t.ok(Value.Check(TwilioSettings, { type: 'twilio', accountSid, authToken, baseUrl: 'http://127.0.0.1:4010' }))
  t.notOk(Value.Check(TwilioSettings, { type: 'twilio', accountSid: 'AC123', authToken }), 'account sid shape')
  t.notOk(
    Value.Check(TwilioSettings, { type: 'twilio', accountSid, authToken, messagingServiceSid: 'MG1' }),
    'messaging service sid shape'
  )
  t.notOk(Value.Check(TwilioSettings, { type: 'twilio', accountSid }), 'auth token required')
})

t.test("sends as Twilio's own API description says", async (t) => {
  const prism = await startPrism(t)
  const settings = { type: 'twilio' as const, accountSid, authToken, baseUrl: prism.url }

  t.test('an SMS from the sender number, with the status callback', async (t) => {
    const before = prism.validations()
    const result = await createTwilioCarrier('twilio-us', settings, { publicUrl }).send(submission)
    t.match(result, { ok: true, carrierMessageId: /^(SM|MM)[0-9a-fA-F]{32}$/, reports: [] })
    t.same(prism.validations(), { passed: before.passed + 1, refused: before.refused }, prism.refusals())
  })

  t.test('through a Messaging Service', async (t) => {
    const before = prism.validations()
    const adapter = createTwilioCarrier(
      'twilio-us',
      { ...settings, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' },
      { publicUrl }
    )
    t.match(await adapter.send(submission), { ok: true })
    t.same(prism.validations(), { passed: before.passed + 1, refused: before.refused }, prism.refusals())
  })

  t.test('a request that breaks the description is refused, and fails the message for good', async (t) => {
    const before = prism.validations()
    // The pattern of the path's AccountSid, which the settings schema normally guards.
    const adapter = createTwilioCarrier('twilio-us', { ...settings, accountSid: 'AC-not-a-sid' }, { publicUrl })
    t.match(await adapter.send(submission), { ok: false, failure: 'permanent', error: { code: 'MSG-025' } })
    t.same(prism.validations(), { passed: before.passed, refused: before.refused + 1 })
  })

  t.test('media become repeated MediaUrl parameters, exactly as the official library sends them', async (t) => {
    const mms: Submission = {
      ...submission,
      type: 'MMS',
      media: [{ url: 'https://cdn.example.com/a.png' }, { url: 'https://cdn.example.com/b.png' }]
    }
    const ours = await capturedForm(async (url) => {
      await createTwilioCarrier('twilio-us', { ...settings, baseUrl: url }, { publicUrl }).send(mms)
    })
    const theirs = await capturedForm(async (url) => {
      await officialClient(url).messages.create({
        to: mms.to,
        from: mms.from,
        body: mms.text,
        mediaUrl: mms.media.map((media) => media.url),
        statusCallback: `${publicUrl}/carriers/twilio-us/status`
      })
    })
    t.same(ours.getAll('MediaUrl'), ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.png'])
    t.same([...ours.entries()].sort(), [...theirs.entries()].sort())

    // Prism (5.x) reads a form body as one value per name and finds no array in it: it refuses the
    // official library's MMS request just as it refuses ours, so MMS is proven by the comparison above.
    const before = prism.validations()
    const refused = await officialClient(prism.url)
      .messages.create({ to: mms.to, from: mms.from, mediaUrl: mms.media.map((m) => m.url) })
      .catch((error: { status?: number }) => error)
    t.match(refused, { status: 422 })
    t.same(prism.validations().refused, before.refused + 1)
    t.match(prism.refusals(), /MediaUrl must be array/)
  })
})

/** The official library, with its requests sent to `url` instead of api.twilio.com. */
function officialClient(url: string) {
  const httpClient = new twilio.RequestClient()
  const request = httpClient.request.bind(httpClient)
  httpClient.request = ((opts: Parameters<typeof request>[0]) =>
    request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', url) })) as typeof request
  return twilio(accountSid, authToken, { httpClient })
}

/** Runs `send` against a local server that records the form body and answers a created message. */
async function capturedForm(send: (url: string) => Promise<void>): Promise<URLSearchParams> {
  let body = ''
  const server = createServer((request, response) => {
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (body += chunk))
    request.on('end', () => {
      response.writeHead(201, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ sid: `SM${'0'.repeat(32)}`, account_sid: accountSid, status: 'queued' }))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  } finally {
    server.close()
  }
  return new URLSearchParams(body)
}

t.test("Twilio's answers as outcomes", async (t) => {
  let answer: (request: IncomingMessage, response: ServerResponse) => void = () => {}
  const requests: Array<{ authorization?: string; body: string; url?: string }> = []
  const server = createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (body += chunk))
    request.on('end', () => {
      requests.push({ authorization: request.headers.authorization, body, url: request.url })
      answer(request, response)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const adapter = createTwilioCarrier(
    'twilio-us',
    { type: 'twilio', accountSid, authToken, baseUrl },
    { publicUrl: `${publicUrl}/`, timeoutMs: 300 }
  )
  const replying = (status: number, body: object | string) => {
    answer = (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
  }

  t.test('the request: Basic auth, form fields, the callback URL', async (t) => {
    replying(201, { sid: 'SM0123456789abcdef0123456789abcdef' })
    t.same(await adapter.send(submission), {
      ok: true,
      carrierMessageId: 'SM0123456789abcdef0123456789abcdef',
      reports: []
    })
    const last = requests.at(-1)!
    t.equal(last.url, `/2010-04-01/Accounts/${accountSid}/Messages.json`)
    t.equal(last.authorization, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`)
    t.same(Object.fromEntries(new URLSearchParams(last.body)), {
      To: '+12025550199',
      From: '+12025550100',
      Body: 'Your table is ready',
      StatusCallback: 'https://parley.example.com/carriers/twilio-us/status'
    })
  })

  const refusals: Array<[string, number, object | string, object]> = [
    ['invalid To', 400, { code: 21211, status: 400 }, { failure: 'permanent', error: { code: 'MSG-018' } }],
    ['region not enabled', 400, { code: 21408 }, { failure: 'permanent', error: { code: 'MSG-018' } }],
    ['unsubscribed recipient', 400, { code: 21610 }, { failure: 'permanent', error: { code: 'MSG-009' } }],
    ['not a mobile number', 400, { code: 21614 }, { failure: 'permanent', error: { code: 'MSG-020' } }],
    ['unlisted code', 400, { code: 29999 }, { failure: 'permanent', error: { code: 'MSG-025' } }],
    ['no JSON', 400, 'Bad Request', { failure: 'permanent', error: { code: 'MSG-025' } }],
    ['wrong credentials', 401, { code: 20003 }, { failure: 'permanent', error: { code: 'MSG-033' } }],
    ['queue full', 400, { code: 21611 }, { failure: 'retryable', error: { code: 'MSG-028' } }],
    ['too many requests', 429, { code: 20429 }, { failure: 'retryable', error: { code: 'MSG-028' } }],
    ['server error', 500, { code: 20500 }, { failure: 'retryable', error: { code: 'MSG-033' } }],
    ['unavailable', 503, 'down', { failure: 'retryable', error: { code: 'MSG-033' } }]
  ]
  for (const [name, status, body, expected] of refusals)
    t.test(`${name} (${status})`, async (t) => {
      replying(status, body)
      t.match(await adapter.send(submission), { ok: false, ...expected })
    })

  t.test('no answer in time, or no sid, is an unknown outcome: the send throws', async (t) => {
    answer = () => {}
    await t.rejects(adapter.send(submission))
    replying(201, { status: 'queued' })
    await t.rejects(adapter.send(submission), /without a message sid/)
  })

  t.test('an unreachable endpoint throws too', async (t) => {
    const closed = createTwilioCarrier(
      'twilio-us',
      { type: 'twilio', accountSid, authToken, baseUrl: 'http://127.0.0.1:1' },
      { publicUrl }
    )
    await t.rejects(closed.send(submission))
  })
})

t.test('callbacks: signatures as the official library makes them, events as Twilio means them', async (t) => {
  const adapter = createTwilioCarrier('twilio-us', { type: 'twilio', accountSid, authToken }, { publicUrl })
  const url = `${publicUrl}/carriers/twilio-us/inbound`
  const callback = (body: string, signature?: string) => ({
    url,
    headers: signature === undefined ? {} : { 'x-twilio-signature': signature },
    rawBody: body,
    body: Object.fromEntries(new URLSearchParams(body))
  })

  t.test('repeated names, spaces and non-ASCII text sign as twilio.getExpectedTwilioSignature says', async (t) => {
    const form =
      'Body=Ol%C3%A1+%F0%9F%91%8B+caf%C3%A9&MediaUrl=https%3A%2F%2Fb.example%2F2&MediaUrl=https%3A%2F%2Fa.example%2F1&To=%2B12025550100'
    const params = { Body: 'Olá 👋 café', MediaUrl: ['https://b.example/2', 'https://a.example/1'], To: '+12025550100' }
    const signature = twilio.getExpectedTwilioSignature(authToken, url, params)
    t.ok(adapter.verifySignature!(callback(form, signature)))
    t.notOk(adapter.verifySignature!(callback(form, signature.slice(0, -2))), 'truncated')
    t.notOk(adapter.verifySignature!(callback(`${form}&Extra=1`, signature)), 'a parameter added')
    t.notOk(adapter.verifySignature!(callback(form)), 'none')
    t.notOk(
      adapter.verifySignature!({ ...callback(form, signature), url: `${publicUrl}/carriers/twilio-us/status` }),
      'another URL'
    )
  })

  const statusOf = (params: Record<string, string>) =>
    adapter.parseCallback!(
      callback(new URLSearchParams({ MessageSid: `SM${'1'.repeat(32)}`, From: '+12025550100', ...params }).toString())
    )

  t.test('status callbacks', async (t) => {
    for (const status of ['queued', 'accepted', 'sending', 'scheduled'])
      t.same(statusOf({ MessageStatus: status }), [], status)
    t.match(statusOf({ MessageStatus: 'sent' }), [
      { kind: 'status', report: { status: 'sent', sender: '+12025550100' } }
    ])
    t.match(statusOf({ MessageStatus: 'read' }), [{ report: { status: 'delivered' } }])
    t.match(statusOf({ MessageStatus: 'failed' }), [{ report: { status: 'failed', error: { code: 'MSG-025' } } }])
    t.match(statusOf({ MessageStatus: 'undelivered' }), [
      { report: { status: 'undelivered', error: { code: 'MSG-019' } } }
    ])
    t.match(statusOf({ MessageStatus: 'undelivered', ErrorCode: '30007' }), [
      { report: { error: { code: 'MSG-008' } } }
    ])
    t.match(statusOf({ MessageStatus: 'failed', ErrorCode: '30006' }), [{ report: { error: { code: 'MSG-020' } } }])
    t.same(statusOf({ MessageStatus: 'delivered' }), [
      {
        kind: 'status',
        report: { carrierMessageId: `SM${'1'.repeat(32)}`, status: 'delivered', sender: '+12025550100' }
      }
    ])
  })

  t.test('incoming messages', async (t) => {
    const [event] = statusOf({ To: '+12025550199', Body: 'Hi there', NumMedia: '0', SmsStatus: 'received' })
    t.match(event, {
      kind: 'inbound',
      message: {
        from: '+12025550100',
        to: '+12025550199',
        text: 'Hi there',
        media: [],
        carrierMessageId: `SM${'1'.repeat(32)}`
      }
    })
    t.same(adapter.parseCallback!(callback('Body=no+sid')), [], 'no MessageSid: nothing')
  })
})
