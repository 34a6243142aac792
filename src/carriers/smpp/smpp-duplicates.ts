import type { InboundMessage } from '../carrier.ts'

interface Last {
  text: string
  carrierMessageId: string
  at: number
}

/**
 * SMPP gives an incoming message no id of its own, yet an SMSC sends a deliver_sm again when it
 * missed the response to the first (a dropped connection, a response after its timeout). So a
 * message from one number to another with the text of the last message between them, within
 * `windowMs` of it, is taken for that message sent again: it gets its carrier id, and the message
 * path stores it once (receiveInbound). A different message in between ends the match, so "STOP",
 * "START", "STOP" are three messages; so does a message sent to that number, so "Yes" to one
 * question and "Yes" to the next are two. Only the same text twice in a row within the window, with
 * nothing sent between, is one. Kept in this process: an SMSC that sends the message again to
 * another instance's bind, or after a restart, is not matched (docs/carriers/smpp.md).
 */
export function createDuplicateMatcher(windowMs: number, capacity: number) {
  const last = new Map<string, Last>()
  return {
    /** The carrier id of this message: the earlier one's when it is that message again. */
    idOf(message: InboundMessage): string {
      const key = `${message.from}\n${message.to}`
      const now = Date.now()
      const earlier = last.get(key)
      if (earlier && earlier.text === message.text && now - earlier.at <= windowMs) return earlier.carrierMessageId
      last.delete(key)
      last.set(key, { text: message.text, carrierMessageId: message.carrierMessageId, at: now })
      while (last.size > capacity) last.delete(last.keys().next().value!)
      return message.carrierMessageId
    },
    /** A message sent to `to` from `from`: the next one back is an answer, never a copy. */
    sent(from: string, to: string): void {
      last.delete(`${to}\n${from}`)
    }
  }
}
