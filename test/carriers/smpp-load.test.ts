import t from 'tap'
import type { CarrierEvent } from '../../src/carriers/carrier.ts'
import { countSegments } from '../../src/lib/segments.ts'
import { sendUntilSettled, startSmppCarrier, startSmsc, submission, until } from '../helpers/smsc.ts'

// Volume, throttling and a lost SMSC: nothing is lost, and what was sent twice is counted.

const delivered = (events: CarrierEvent[]) =>
  new Set(
    events.flatMap((event) =>
      event.kind === 'status' && event.report.status === 'delivered' ? [event.report.carrierMessageId] : []
    )
  )

/** Texts the SMSC accepted more than once: each one a second SMS to the same person. */
function doubles(texts: unknown[]): number {
  const seen = new Set<unknown>()
  return texts.filter((text) => seen.has(text) || !seen.add(text)).length
}

t.test('1,000 messages in a batch all reach delivered through receipts', async (t) => {
  // Hex ids from 1 with decimal receipts: receipt 10 is message 0xA, while a message 0x10 exists too.
  const smsc = await startSmsc(t, { idFormat: 'hex', receiptIdFormat: 'decimal', startId: 1 })
  const { carrier, events } = await startSmppCarrier(t, smsc, { windowSize: 50 })
  const submissions = Array.from({ length: 1000 }, (_, index) => submission({ text: `Message ${index}` }))
  const results = await carrier.sendBatch(submissions)
  t.equal(results.filter((result) => result.ok).length, 1000)
  const ids = results.map((result) => (result.ok ? result.carrierMessageId : ''))
  t.equal(new Set(ids).size, 1000, 'distinct carrier message ids')
  await until(() => delivered(events).size === 1000, 30_000)
  t.ok(ids.every((id) => delivered(events).has(id)))
  const accepted = (await smsc.logged('submit_sm', 1000)).filter((submit) => submit.status === 'ESME_ROK')
  t.equal(accepted.length, 1000)
  t.equal(doubles(accepted.map((submit) => submit.text)), 0)
})

t.test('throttling slows the adapter down and loses nothing', async (t) => {
  const smsc = await startSmsc(t, { throttle: 0.3 })
  const { carrier, events } = await startSmppCarrier(t, smsc, { windowSize: 5 })
  // Every fourth message in four parts: a retry sends only the parts not yet accepted.
  const texts = Array.from({ length: 100 }, (_, index) =>
    index % 4 === 0 ? `Throttled ${index}: ${`${index}-part `.repeat(60)}` : `Throttled ${index}`
  )
  const submissions = texts.map((text) => submission({ text }))
  const { results, retried } = await sendUntilSettled(carrier, submissions)
  t.ok(results.every((result) => result.ok))
  t.ok(retried > 0, `${retried} retryable answers`)
  await until(() => delivered(events).size === 100)
  const submits = smsc.of('submit_sm')
  const accepted = submits.filter((submit) => submit.status === 'ESME_ROK')
  t.equal(
    accepted.length,
    texts.reduce((sum, text) => sum + countSegments(text).segments, 0)
  )
  t.equal(doubles(accepted.map((submit) => submit.text)), 0)
  t.same(
    smsc
      .of('message')
      .map((message) => message.text)
      .sort(),
    [...texts].sort(),
    'every message whole, once'
  )
  // After a throttled answer the next submit waits out the pause (at least the test's 100 ms, minus
  // the submits already on their way in the window).
  const throttled = submits.findIndex((submit) => submit.status === 'ESME_RTHROTTLED')
  const next = submits.slice(throttled + 1 + 5)[0]
  t.ok(next && next.at - submits[throttled]!.at >= 90, 'a pause after ESME_RTHROTTLED')
})

t.test('the SMSC killed and restarted mid-send: the adapter rebinds and nothing is lost', async (t) => {
  const smsc = await startSmsc(t)
  const { carrier, events } = await startSmppCarrier(t, smsc, { windowSize: 10, throughput: 400 })
  const submissions = Array.from({ length: 400 }, (_, index) => submission({ text: `Restart ${index}` }))
  const sending = sendUntilSettled(carrier, submissions)
  await smsc.waitFor(() => smsc.of('submit_sm').length >= 100)
  await smsc.kill()
  await until(() => carrier.health().state !== 'bound')
  t.match(carrier.health(), { lastError: { message: /./ } })
  await new Promise((resolve) => setTimeout(resolve, 300))
  await smsc.restart()
  const { results, retried } = await sending
  t.ok(
    results.every((result) => result.ok),
    'every message accepted in the end'
  )
  await until(() => delivered(events).size === 400, 30_000)
  t.ok(smsc.of('bind').filter((bind) => bind.status === 'ESME_ROK').length >= 2, 'bound again after the restart')
  const accepted = smsc.of('submit_sm').filter((submit) => submit.status === 'ESME_ROK')
  const twice = doubles(accepted.map((submit) => submit.text))
  t.ok(twice <= 10, `${twice} sent twice (unknown outcomes, at most the window); ${retried} retries`)
  t.comment(`SMSC restart: ${twice} of 400 messages reached the SMSC twice; ${retried} retried submits`)
})
