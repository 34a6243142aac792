import t from 'tap'
import type { CarrierEvent, Submission } from '../../src/carriers/carrier.ts'
import { countSegments } from '../../src/lib/segments.ts'
import { startSmppCarrier, startSmsc, submission, until } from '../helpers/smsc.ts'

// The SMPP adapter against the Perl test SMSC on Net::SMPP: what the SMSC decoded is asserted, so an
// encoding mistake on either side shows.

const statuses = (events: CarrierEvent[]) => events.flatMap((event) => (event.kind === 'status' ? [event.report] : []))
const inbound = (events: CarrierEvent[]) => events.flatMap((event) => (event.kind === 'inbound' ? [event.message] : []))

t.test('binds as a transceiver and reports its health without secrets', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier } = await startSmppCarrier(t, smsc, { systemType: 'parley' })
  await until(() => carrier.health().state === 'bound')
  t.match(await smsc.logged('bind', 1), [
    { mode: 'transceiver', system_id: 'parley', system_type: 'parley', status: 'ESME_ROK' }
  ])
  const health = carrier.health()
  t.match(health, { state: 'bound', lastError: null, links: [{ role: 'transceiver', state: 'bound' }] })
  t.ok(health.since instanceof Date)
  t.notMatch(JSON.stringify(health), /secret/)
})

t.test('binds a transmitter and a receiver: submits go on one, receipts come on the other', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier, events } = await startSmppCarrier(t, smsc, { bindMode: 'transmitter+receiver' })
  const result = await carrier.send(submission({ text: 'Two binds' }))
  t.match(result, { ok: true })
  t.same(
    smsc
      .of('bind')
      .map((bind) => bind.mode)
      .sort(),
    ['receiver', 'transmitter']
  )
  await until(() => statuses(events).length === 1)
  t.same(statuses(events), [
    {
      carrierMessageId: (result as { carrierMessageId: string }).carrierMessageId,
      status: 'delivered',
      sender: '+14155550100'
    }
  ])
  t.match(carrier.health(), { state: 'bound', links: [{ role: 'transmitter' }, { role: 'receiver' }] })
})

t.test(
  'a wrong password: the bind is refused, health says so, and a send answers retryable without a submit',
  async (t) => {
    const smsc = await startSmsc(t, { password: 'other' })
    const { carrier } = await startSmppCarrier(t, smsc, {}, { bindWaitMs: 500 })
    await until(() => carrier.health().lastError !== null)
    t.match(carrier.health(), {
      state: /disconnected|connecting/,
      lastError: { message: 'Bind refused: ESME_RINVPASWD' }
    })
    t.match(await carrier.send(submission()), { ok: false, failure: 'retryable', error: { code: 'MSG-033' } })
    t.equal(smsc.of('submit_sm').length, 0)
    t.ok((await smsc.logged('bind', 1)).every((bind) => bind.status === 'ESME_RINVPASWD'))
  }
)

t.test('GSM-7 goes as data_coding 0 and UCS-2 as 8, each decoded by the SMSC to the same text', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier } = await startSmppCarrier(t, smsc)
  const gsm = 'Hi Jane, €5 off {today} [only] ~ ^ | \\ @£$¥ èéùìò ÄÖÑÜ§¿ äöñüà'
  const ucs = 'Привет 😀 你好'
  t.match(await carrier.send(submission({ text: gsm })), { ok: true })
  t.match(await carrier.send(submission({ text: ucs, from: 'Parley' })), { ok: true })
  const [first, second] = await smsc.logged('submit_sm', 2)
  t.match(first, { data_coding: 0, esm_class: 0, concat: null, text: gsm, registered_delivery: 1 })
  t.match(first, { source_addr: '14155550100', source_addr_ton: 1, destination_addr: '14155550123' })
  t.match(second, { data_coding: 8, text: ucs, source_addr: 'Parley', source_addr_ton: 5 })
})

t.test('long messages go in the parts src/lib/segments.ts counts, by UDH or by sar_* TLVs', async (t) => {
  const gsm = Array.from({ length: 40 }, (_, index) => `word${index} {x}`).join(' ')
  const ucs = 'Доставка завтра 🚚 '.repeat(12)

  t.test('UDH by default; delivered once every part is', async (t) => {
    const smsc = await startSmsc(t)
    const { carrier, events } = await startSmppCarrier(t, smsc)
    const first = await carrier.send(submission({ text: gsm }))
    const second = await carrier.send(submission({ to: '+14155559991', text: ucs }))
    t.match(first, { ok: true })
    t.match(second, { ok: true })
    await smsc.logged('receipt', countSegments(gsm).segments + countSegments(ucs).segments)
    await until(() => statuses(events).length === 2)
    t.match(statuses(events), [
      {
        carrierMessageId: (first as { carrierMessageId: string }).carrierMessageId,
        status: 'delivered',
        sender: '+14155550100'
      },
      {
        carrierMessageId: (second as { carrierMessageId: string }).carrierMessageId,
        status: 'undelivered',
        sender: '+14155550100'
      }
    ])
    const submits = await smsc.logged('submit_sm', countSegments(gsm).segments + countSegments(ucs).segments)
    t.equal(submits.length, countSegments(gsm).segments + countSegments(ucs).segments)
    t.ok(submits.every((submit) => submit.esm_class === 0x40 && (submit.concat as { kind: string }).kind === 'udh'))
    const messages = await smsc.logged('message', 2)
    t.match(messages, [
      { text: gsm, parts: countSegments(gsm).segments, concat: 'udh' },
      { text: ucs, parts: countSegments(ucs).segments, concat: 'udh' }
    ])
  })

  t.test('sar_* TLVs when configured', async (t) => {
    const smsc = await startSmsc(t)
    const { carrier } = await startSmppCarrier(t, smsc, { concatenation: 'sar' })
    t.match(await carrier.send(submission({ text: ucs })), { ok: true })
    const submits = await smsc.logged('submit_sm', countSegments(ucs).segments)
    t.equal(submits.length, countSegments(ucs).segments)
    t.ok(submits.every((submit) => submit.esm_class === 0 && submit.data_coding === 8))
    t.same(
      submits.map((submit) => (submit.concat as { seq: number; total: number }).seq),
      submits.map((_, index) => index + 1)
    )
    t.match(await smsc.logged('message', 1), [{ text: ucs, parts: submits.length, concat: 'sar' }])
  })
})

t.test('receipts map to statuses and Sakari codes, whatever base the SMSC writes ids in', async (t) => {
  const cases = [
    { name: 'hex ids, decimal receipts', options: { idFormat: 'hex', receiptIdFormat: 'decimal' } },
    { name: 'decimal ids, hex receipts', options: { idFormat: 'decimal', receiptIdFormat: 'hex' } },
    { name: 'receipted_message_id TLV', options: { idFormat: 'hex', receiptTlv: true } },
    { name: 'a receipt before its submit_sm_resp', options: { receiptBeforeResp: true } }
  ] as const
  for (const { name, options } of cases)
    t.test(name, async (t) => {
      const smsc = await startSmsc(t, options)
      const { carrier, events } = await startSmppCarrier(t, smsc)
      const sends = ['+14155550123', '+14155559991', '+14155559992', '+14155559993'].map((to) =>
        carrier.send(submission({ to }))
      )
      const ids = (await Promise.all(sends)).map((result) => (result as { carrierMessageId: string }).carrierMessageId)
      await until(() => statuses(events).length === 4)
      const byId = new Map(statuses(events).map((report) => [report.carrierMessageId, report]))
      t.equal(byId.size, 4)
      t.same(byId.get(ids[0]!), { carrierMessageId: ids[0], status: 'delivered', sender: '+14155550100' })
      t.match(byId.get(ids[1]!), { status: 'undelivered', error: { code: 'MSG-019' } })
      t.match(byId.get(ids[2]!), { status: 'undelivered', error: { code: 'MSG-026' } })
      t.match(byId.get(ids[3]!), { status: 'failed', error: { code: 'MSG-023' } })
      t.ok((await smsc.logged('deliver_sm_resp', 4)).every((resp) => resp.status === 0))
    })
})

t.test('a refused submit fails for good with a mapped code; a retried key is not sent twice', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier } = await startSmppCarrier(t, smsc)
  t.match(await carrier.send(submission({ to: '+14155559994' })), {
    ok: false,
    failure: 'permanent',
    error: { code: 'MSG-018' }
  })
  const once: Submission = submission({ text: 'Only once' })
  const [first, second] = await Promise.all([carrier.send(once), carrier.send(once)])
  const third = await carrier.send(once)
  await smsc.logged('submit_sm', 2)
  t.match(first, { ok: true })
  t.same(second, first)
  t.same(third, first)
  t.equal(smsc.of('submit_sm').filter((submit) => submit.text === 'Only once').length, 1)
})

t.test('inbound messages, single and concatenated (UDH and SAR), reach onEvent whole', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier, events } = await startSmppCarrier(t, smsc)
  await until(() => carrier.health().state === 'bound')
  const long = 'Yes please, book me in for Tuesday at ten. '.repeat(5)
  const longUcs = 'Да, пожалуйста, запишите меня на вторник. '.repeat(3)
  smsc.command({ cmd: 'deliver', from: '+14155550123', to: '+14155550100', text: 'STOP' })
  smsc.command({ cmd: 'deliver', from: '+14155550124', to: '+14155550100', text: long, concat: 'udh' })
  smsc.command({ cmd: 'deliver', from: '+14155550125', to: '+14155550100', text: longUcs, concat: 'sar', coding: 8 })
  await until(() => inbound(events).length === 3)
  const byFrom = new Map(inbound(events).map((message) => [message.from, message]))
  t.match(byFrom.get('+14155550123'), { to: '+14155550100', text: 'STOP', media: [], carrierMessageId: /^SMPP/ })
  t.match(byFrom.get('+14155550124'), { text: long })
  t.match(byFrom.get('+14155550125'), { text: longUcs })
  t.ok(byFrom.get('+14155550123')!.receivedAt instanceof Date)
})

t.test('an unbind from the SMSC is answered, and the adapter binds again', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier } = await startSmppCarrier(t, smsc)
  await until(() => carrier.health().state === 'bound')
  smsc.command({ cmd: 'unbind' })
  await smsc.waitFor(() => smsc.of('closed').some((closed) => closed.why === 'unbind_resp'))
  await smsc.logged('bind', 2)
  await until(() => carrier.health().state === 'bound')
  t.match(carrier.health(), { lastError: { message: 'The SMSC unbound' } })
  t.match(await carrier.send(submission()), { ok: true })
})

t.test('close unbinds, and the adapter stays closed', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier } = await startSmppCarrier(t, smsc)
  await until(() => carrier.health().state === 'bound')
  await carrier.close()
  await smsc.waitFor(() => smsc.of('unbind').length === 1)
  t.match(carrier.health(), { state: 'closed' })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(smsc.of('bind').length, 1, 'no reconnect after close')
})
