import { randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { PDU } from 'smpp'
import { newId } from '../../shared/ids.ts'
import { carrierError } from '../carrier-errors.ts'
import type { CarrierAdapter, CarrierEvent, Submission, SubmitResult } from '../carrier.ts'
import { inboundAddress, messageOf, partOf, submitParts } from './smpp-codec.ts'
import { createDuplicateMatcher } from './smpp-duplicates.ts'
import { createInboundAssembler } from './smpp-inbound.ts'
import { createLink, NotSentError, type Link, type LinkHealth, type LinkRole, type LinkTiming } from './smpp-link.ts'
import { createPacer } from './smpp-pacer.ts'
import { createReceiptMatcher } from './smpp-receipt-matcher.ts'
import { receiptOf } from './smpp-receipts.ts'
import type { SmppSettings } from './smpp.settings.ts'
import { ESME, isThrottle, refusal } from './smpp-status.ts'

export interface SmppTiming extends LinkTiming {
  /** How long a submit waits for a bind before it answers retryable without sending anything. */
  bindWaitMs: number
  receiptHoldMs: number
  inboundPartsTimeoutMs: number
  /** How long after an incoming message the same text between the same numbers is that message again. */
  inboundDuplicateMs: number
  throttlePauseMinMs: number
  throttlePauseMaxMs: number
}

export const DEFAULT_SMPP_TIMING: SmppTiming = {
  enquireLinkMs: 30_000,
  responseTimeoutMs: 10_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 60_000,
  bindWaitMs: 5_000,
  receiptHoldMs: 10_000,
  inboundPartsTimeoutMs: 60_000,
  inboundDuplicateMs: 120_000,
  throttlePauseMinMs: 250,
  throttlePauseMaxMs: 10_000
}

/** What GET …/carriers shows of an SMPP carrier: never its credentials. */
export interface SmppHealth {
  state: 'bound' | 'connecting' | 'disconnected' | 'closed'
  since: Date
  lastError: { message: string; at: Date } | null
  links: LinkHealth[]
  inFlight: number
  throttledUntil: Date | null
}

export interface SmppCarrier extends CarrierAdapter {
  start: NonNullable<CarrierAdapter['start']>
  close: NonNullable<CarrierAdapter['close']>
  sendBatch: NonNullable<CarrierAdapter['sendBatch']>
  health: () => SmppHealth
}

export interface SmppOptions {
  timing?: Partial<SmppTiming>
  /** Called with each link's health when it changes (a bind, a loss, an error), e.g. to log it. */
  onHealth?: (health: LinkHealth) => void
}

/** What one message's earlier attempts achieved, so a retry sends only the parts not yet accepted. */
interface Progress {
  reference: number
  partIds: Array<string | undefined>
}

/** Submissions whose outcome is remembered for their idempotency key, the oldest forgotten first. */
const REMEMBERED = 100_000

export function createSmppCarrier(name: string, settings: SmppSettings, options: SmppOptions = {}): SmppCarrier {
  const timing = { ...DEFAULT_SMPP_TIMING, ...options.timing }
  let onEvent: ((event: CarrierEvent) => Promise<void>) | undefined
  const emit = async (event: CarrierEvent) => {
    if (!onEvent) throw new Error('Not started')
    await onEvent(event)
  }
  const receipts = createReceiptMatcher({
    holdMs: timing.receiptHoldMs,
    capacity: REMEMBERED * 2,
    report: (report) => emit({ kind: 'status', report })
  })
  const duplicates = createDuplicateMatcher(timing.inboundDuplicateMs, REMEMBERED)
  const inbound = createInboundAssembler(
    (message) => emit({ kind: 'inbound', message: { ...message, carrierMessageId: duplicates.idOf(message) } }),
    timing.inboundPartsTimeoutMs
  )
  const pacer = createPacer({
    windowSize: settings.windowSize ?? 10,
    throughput: settings.throughput,
    throttlePauseMinMs: timing.throttlePauseMinMs,
    throttlePauseMaxMs: timing.throttlePauseMaxMs
  })
  const progress = new Map<string, Progress>()
  // Concatenation references in turn, not at random: a handset (and an SMSC) puts together the parts
  // with one reference, so two long messages in flight to one number must not share it; in turn,
  // the 8-bit UDH reference repeats only after 256 more messages.
  let nextReference = randomInt(0, 0x10000)
  const inFlight = new Map<string, Promise<SubmitResult>>()

  async function onDeliver(pdu: PDU): Promise<number> {
    if (!onEvent) return ESME.RX_T_APPN
    const { text, udh } = messageOf(pdu)
    const receipt = receiptOf(pdu, text)
    if (receipt) await receipts.received({ ...receipt, sender: inboundAddress(String(pdu.destination_addr)) })
    if (receipt !== undefined) return ESME.ROK
    const message = {
      from: inboundAddress(String(pdu.source_addr)),
      to: inboundAddress(String(pdu.destination_addr)),
      media: [],
      carrierMessageId: `SMPP${newId()}`,
      receivedAt: new Date()
    }
    await inbound.part(message, text, partOf(udh, pdu))
    return ESME.ROK
  }

  const roles: LinkRole[] = settings.bindMode === 'transmitter+receiver' ? ['transmitter', 'receiver'] : ['transceiver']
  const links: Link[] = roles.map((role) =>
    createLink({
      role,
      host: settings.host,
      port: settings.port,
      tls: settings.tls ?? false,
      credentials: { systemId: settings.systemId, password: settings.password, systemType: settings.systemType ?? '' },
      timing,
      onDeliver,
      onStateChange: (health) => options.onHealth?.(health)
    })
  )
  const transmitter = links[0]!

  async function bound(): Promise<boolean> {
    for (const link of links) link.start()
    const deadline = Date.now() + timing.bindWaitMs
    while (!transmitter.isBound() && Date.now() < deadline) await sleep(20)
    return transmitter.isBound()
  }

  /** One part: its message id, a refusal, or a throw when the outcome is unknown. */
  async function submitPart(params: Record<string, unknown>): Promise<string | Extract<SubmitResult, { ok: false }>> {
    await pacer.acquire()
    try {
      const response = await transmitter.request('submit_sm', params)
      if (response.command_status === ESME.ROK) {
        pacer.accepted()
        return String(response.message_id)
      }
      if (isThrottle(response.command_status)) pacer.throttled()
      return refusal(response.command_status)
    } finally {
      pacer.release()
    }
  }

  async function submit(key: string, submission: Submission): Promise<SubmitResult> {
    if (!(await bound())) return { ok: false, failure: 'retryable', error: carrierError('MSG-033') }
    duplicates.sent(submission.from, submission.to)
    const known = progress.get(key) ?? { reference: nextReference++ & 0xffff, partIds: [] }
    progress.delete(key)
    progress.set(key, known)
    while (progress.size > REMEMBERED) progress.delete(progress.keys().next().value!)
    const parts = submitParts(submission, settings.concatenation ?? 'udh', known.reference, settings.systemType)
    for (const [index, params] of parts.entries()) {
      if (known.partIds[index]) continue
      let outcome: Awaited<ReturnType<typeof submitPart>>
      try {
        outcome = await submitPart(params)
      } catch (error) {
        if (error instanceof NotSentError) return { ok: false, failure: 'retryable', error: carrierError('MSG-033') }
        throw error
      }
      if (typeof outcome !== 'string') return outcome
      known.partIds[index] = outcome
      receipts.accepted(outcome, known.partIds[0]!, index, parts.length)
    }
    return { ok: true, carrierMessageId: known.partIds[0]!, reports: [] }
  }

  /**
   * SMPP has no idempotency key: the adapter keeps the outcome of each key itself, in memory,
   * so a retry of a key it has seen sends nothing again, or only the parts not yet accepted. A
   * submit whose connection is lost before its response throws (an unknown outcome): the SMSC may
   * have taken it, and the retry sends it again (docs/carriers/smpp.md).
   */
  function send(submission: Submission): Promise<SubmitResult> {
    const key = `${submission.accountId}/${submission.idempotencyKey}`
    const running = inFlight.get(key)
    if (running) return running
    const result = submit(key, submission).finally(() => inFlight.delete(key))
    inFlight.set(key, result)
    return result
  }

  // In a batch an unknown outcome cannot be thrown for one message alone: it answers what the
  // pipeline makes of a throw, a retryable MSG-026.
  async function sendBatch(submissions: readonly Submission[]): Promise<SubmitResult[]> {
    return await Promise.all(
      submissions.map((submission) =>
        send(submission).catch((): SubmitResult => ({
          ok: false,
          failure: 'retryable',
          error: carrierError('MSG-026')
        }))
      )
    )
  }

  function health(): SmppHealth {
    const states = links.map((link) => link.health())
    const worst =
      states.find((link) => link.state !== 'bound' && link.state !== 'connecting') ??
      states.find((link) => link.state === 'connecting') ??
      states.reduce((latest, link) => (link.since > latest.since ? link : latest))
    const lastError = states
      .map((link) => link.lastError)
      .reduce((latest, error) => (error && (!latest || error.at > latest.at) ? error : latest), null)
    const pace = pacer.state()
    return {
      state: worst.state,
      since: worst.since,
      lastError,
      links: states,
      inFlight: pace.inFlight,
      throttledUntil: pace.pausedUntil
    }
  }

  return {
    name,
    send,
    sendBatch,
    async start(handler) {
      onEvent = handler
      for (const link of links) link.start()
    },
    async close() {
      await Promise.all(links.map((link) => link.close()))
      receipts.close()
      inbound.close()
    },
    health
  }
}
