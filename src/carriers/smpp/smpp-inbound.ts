import type { InboundMessage } from '../carrier.ts'
import type { PartOf } from './smpp-codec.ts'

// Reassembles concatenated inbound messages. Each part's deliver_sm_resp waits for the whole
// message to be handed over, so a crash before that leaves the SMSC to deliver the parts again.

interface Pending {
  texts: Map<number, string>
  total: number
  waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>
  timer: NodeJS.Timeout
}

export interface InboundAssembler {
  /** Resolves once the message this part belongs to has been handed over. */
  part: (message: Omit<InboundMessage, 'text'>, text: string, part: PartOf | undefined) => Promise<void>
  close: () => void
}

/**
 * `timeoutMs`: how long to wait for the missing parts of a message before handing over what came,
 * in order, so a lost part does not hold the others back for ever.
 */
export function createInboundAssembler(
  deliver: (message: InboundMessage) => Promise<void>,
  timeoutMs: number
): InboundAssembler {
  const pending = new Map<string, Pending>()

  function handOver(key: string, message: Omit<InboundMessage, 'text'>) {
    const entry = pending.get(key)!
    pending.delete(key)
    clearTimeout(entry.timer)
    const text = [...entry.texts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, part]) => part)
      .join('')
    deliver({ ...message, text }).then(
      () => entry.waiters.forEach(({ resolve }) => resolve()),
      (error: Error) => entry.waiters.forEach(({ reject }) => reject(error))
    )
  }

  return {
    async part(message, text, part) {
      if (!part || part.total <= 1) return await deliver({ ...message, text })
      const key = `${message.from}|${message.to}|${part.reference}|${part.total}`
      const entry: Pending = pending.get(key) ?? {
        texts: new Map(),
        total: part.total,
        waiters: [],
        timer: setTimeout(() => handOver(key, message), timeoutMs)
      }
      pending.set(key, entry)
      entry.texts.set(part.sequence, text)
      const done = new Promise<void>((resolve, reject) => entry.waiters.push({ resolve, reject }))
      if (entry.texts.size === entry.total) handOver(key, message)
      await done
    },
    close() {
      for (const entry of pending.values()) {
        clearTimeout(entry.timer)
        entry.waiters.forEach(({ reject }) => reject(new Error('The SMPP carrier closed')))
      }
      pending.clear()
    }
  }
}
