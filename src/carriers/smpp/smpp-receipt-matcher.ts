import type { StatusReport } from '../carrier.ts'
import {
  ID_CONVENTIONS,
  messageReport,
  normalId,
  submitIdOf,
  type IdConvention,
  type Receipt
} from './smpp-receipts.ts'

// Matches receipts to the submits they report on, by the message id of each part's submit_sm_resp.

interface Tracked {
  carrierMessageId: string
  parts: number
  finals: Array<Omit<Receipt, 'id'> | undefined>
  reported: boolean
}

interface Part {
  message: Tracked
  index: number
}

interface Held {
  receipt: Receipt
  resolve: () => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

export interface ReceiptMatcherOptions {
  /** How long a receipt waits for the submit_sm_resp of its message before it is reported by its own id. */
  holdMs: number
  /** Part ids remembered; the oldest are forgotten first. */
  capacity: number
  report: (report: StatusReport) => Promise<void>
}

export interface ReceiptMatcher {
  /** Part `index` of the message known as `carrierMessageId` was accepted under `partId`. */
  accepted: (partId: string, carrierMessageId: string, index: number, parts: number) => void
  /** Resolves once the receipt is reported (or absorbed into its message's): then it may be acknowledged. */
  received: (receipt: Receipt) => Promise<void>
  close: () => void
}

export function createReceiptMatcher(options: ReceiptMatcherOptions): ReceiptMatcher {
  const messages = new Map<string, Tracked>()
  const parts = new Map<string, Part>()
  const held = new Map<string, Held>()
  // Learnt from the first receipt whose id finds a part one way only, then kept: guessing the base
  // of each id alone would let a decimal id match another message's hex one (10 is also 0x10).
  let convention: IdConvention | undefined

  const candidates = () => (convention ? [convention] : ID_CONVENTIONS)

  async function apply(receipt: Receipt, { message, index }: Part) {
    message.finals[index] = { status: receipt.status, ...(receipt.error ? { error: receipt.error } : {}) }
    if (message.reported) return
    const report = messageReport(message.carrierMessageId, message.finals, message.parts)
    if (!report) return
    message.reported = true
    try {
      await options.report(receipt.sender === undefined ? report : { ...report, sender: receipt.sender })
    } catch (error) {
      // Not taken: the deliver_sm is refused, and the SMSC's next attempt reports it again.
      message.reported = false
      throw error
    }
  }

  function release(key: string, entry: Held) {
    clearTimeout(entry.timer)
    if (held.get(key) === entry) held.delete(key)
  }

  /** The part a receipt reports on, when exactly one reading of its id finds one. */
  function partFor(receipt: Receipt): Part | undefined {
    const found = candidates().flatMap((candidate) => {
      const part = parts.get(submitIdOf(receipt.id, candidate) ?? '')
      return part ? [{ candidate, part }] : []
    })
    if (found.length !== 1) return undefined
    convention = found[0]!.candidate
    return found[0]!.part
  }

  /** Held receipts that a new part id, or a convention just learnt, now matches. */
  function retryHeld() {
    const learnt = convention
    for (const [key, entry] of held) {
      const part = partFor(entry.receipt)
      if (!part) continue
      release(key, entry)
      apply(entry.receipt, part).then(entry.resolve, entry.reject)
    }
    if (convention !== learnt) retryHeld()
  }

  return {
    accepted(partId, carrierMessageId, index, total) {
      let message = messages.get(carrierMessageId)
      if (!message) {
        message = { carrierMessageId, parts: total, finals: [], reported: false }
        messages.set(carrierMessageId, message)
        while (messages.size > options.capacity) messages.delete(messages.keys().next().value!)
      }
      parts.set(normalId(partId), { message, index })
      while (parts.size > options.capacity) parts.delete(parts.keys().next().value!)
      if (held.size > 0) retryHeld()
    },
    async received(receipt) {
      const learnt = convention
      const part = partFor(receipt)
      if (convention !== learnt && held.size > 0) retryHeld()
      if (part) return await apply(receipt, part)
      // Before its submit_sm_resp was read (the SMSC may send the receipt first), or readable two
      // ways while the convention is not yet learnt: wait briefly for a part id or the convention,
      // then report it by its own id, which is the message's when the SMSC writes ids one way.
      const key = normalId(receipt.id)
      await new Promise<void>((resolve, reject) => {
        const entry: Held = {
          receipt,
          resolve,
          reject,
          timer: setTimeout(() => {
            release(key, entry)
            const { id, ...final } = receipt
            options.report({ carrierMessageId: id, ...final }).then(resolve, reject)
          }, options.holdMs)
        }
        held.set(key, entry)
      })
    },
    close() {
      for (const [key, entry] of held) {
        release(key, entry)
        entry.reject(new Error('The SMPP carrier closed before the receipt was matched'))
      }
    }
  }
}
