import type { FastifyReply } from 'fastify'
import type { StreamEvent } from './inbox.schemas.ts'

// Each event is serialised once however many clients it goes to.
const serialised = new WeakMap<StreamEvent, string>()

function jsonOf(event: StreamEvent): string {
  let json = serialised.get(event)
  if (json === undefined) serialised.set(event, (json = JSON.stringify(event)))
  return json
}

/**
 * One client's outgoing events: delivering only queues, and one pump per client writes the queue,
 * waiting for that socket to drain. A client that falls more than `limit` events behind is
 * disconnected (it reconnects with Last-Event-ID and catches up from the outbox) rather than
 * buffering without bound. While the missed events are replayed, live ones are held back so the
 * client sees them in order, each once.
 */
export class ClientStream {
  readonly #reply: FastifyReply
  readonly #limit: number
  #queue: StreamEvent[] = []
  #held: StreamEvent[] | undefined = []
  #pumping = false
  #closed = false
  #ending = false

  constructor(reply: FastifyReply, limit: number) {
    this.#reply = reply
    this.#limit = limit
  }

  get closed(): boolean {
    return this.#closed
  }

  deliver(event: StreamEvent): void {
    if (this.#closed || this.#ending) return
    if (this.#held) this.#held.push(event)
    else this.#enqueue(event)
  }

  /** Sends the replayed events, then the live ones that arrived meanwhile and were not among them. */
  resume(replayed: readonly StreamEvent[]): void {
    const held = this.#held ?? []
    this.#held = undefined
    const seen = new Set(replayed.map((event) => event.seq))
    for (const event of [...replayed, ...held.filter((event) => !seen.has(event.seq))]) this.#enqueue(event)
  }

  /** Ends the stream once what is queued has been written; nothing more is queued meanwhile. */
  closeWhenSent(): void {
    this.#ending = true
    if (!this.#pumping) this.close()
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue = []
    this.#reply.sse.close()
  }

  #enqueue(event: StreamEvent): void {
    if (this.#closed) return
    if (this.#queue.length >= this.#limit) {
      this.#reply.log.warn({ limit: this.#limit }, 'inbox stream client too slow; disconnecting it')
      this.close()
      return
    }
    this.#queue.push(event)
    if (!this.#pumping) void this.#pump()
  }

  async #pump(): Promise<void> {
    this.#pumping = true
    try {
      while (this.#queue.length > 0 && !this.#closed && this.#reply.sse.isConnected) {
        const event = this.#queue.shift()!
        await this.#reply.sse.send({ id: String(event.seq), event: event.type, data: jsonOf(event) })
      }
    } catch {
      this.close()
    } finally {
      this.#pumping = false
      if (this.#ending) this.close()
    }
  }
}
