import type { StatusReport } from '../carrier.ts'
import { messageReport, receiptKeys, submitKeys, type Receipt } from './smpp-receipts.ts'

// Matches receipts to the submits they report on, by the message id of each part's submit_sm_resp.

interface Tracked {
  carrierMessageId: string
  parts: number
  finals: Array<Omit<Receipt, 'id'> | undefined>
  reported: boolean
}

interface Held {
  receipt: Receipt
  keys: string[]
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
  const parts = new Map<string, { message: Tracked; index: number }>()
  const held = new Map<string, Held>()

  function remember(key: string, value: { message: Tracked; index: number }) {
    parts.delete(key)
    parts.set(key, value)
    while (parts.size > options.capacity) parts.delete(parts.keys().next().value!)
  }

  async function apply(receipt: Receipt, part: { message: Tracked; index: number }) {
    const { message, index } = part
    message.finals[index] = { status: receipt.status, ...(receipt.error ? { error: receipt.error } : {}) }
    if (message.reported) return
    const report = messageReport(message.carrierMessageId, message.finals, message.parts)
    if (!report) return
    message.reported = true
    try {
      await options.report(report)
    } catch (error) {
      // Not taken: the deliver_sm is refused, and the SMSC's next attempt reports it again.
      message.reported = false
      throw error
    }
  }

  function release(entry: Held) {
    clearTimeout(entry.timer)
    for (const key of entry.keys) if (held.get(key) === entry) held.delete(key)
  }

  return {
    accepted(partId, carrierMessageId, index, total) {
      let message = messages.get(carrierMessageId)
      if (!message) {
        message = { carrierMessageId, parts: total, finals: [], reported: false }
        messages.set(carrierMessageId, message)
        while (messages.size > options.capacity) messages.delete(messages.keys().next().value!)
      }
      const part = { message, index }
      for (const key of submitKeys(partId)) {
        remember(key, part)
        const early = held.get(key)
        if (!early) continue
        release(early)
        apply(early.receipt, part).then(early.resolve, early.reject)
      }
    },
    async received(receipt) {
      const keys = receiptKeys(receipt.id)
      const key = keys.find((candidate) => parts.has(candidate))
      if (key) return await apply(receipt, parts.get(key)!)
      // Before its submit_sm_resp was read (the SMSC may send the receipt first): wait for it briefly,
      // then report it by its own id, which is the message's when the SMSC writes ids one way.
      await new Promise<void>((resolve, reject) => {
        const entry: Held = {
          receipt,
          keys,
          resolve,
          reject,
          timer: setTimeout(() => {
            release(entry)
            const { id, ...final } = receipt
            options.report({ carrierMessageId: id, ...final }).then(resolve, reject)
          }, options.holdMs)
        }
        for (const candidate of keys) held.set(candidate, entry)
      })
    },
    close() {
      for (const entry of new Set(held.values())) {
        release(entry)
        entry.reject(new Error('The SMPP carrier closed before the receipt was matched'))
      }
    }
  }
}
