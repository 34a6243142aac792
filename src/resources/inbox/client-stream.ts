import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'
import type { StreamEvent } from './inbox.schemas.ts'

// Each event's frame is built once however many clients it goes to: with a thousand clients,
// formatting per client was most of the fan-out's cost. JSON has no raw newlines, so one data line.
const frames = new WeakMap<StreamEvent, string>()

function frameOf(event: StreamEvent): string {
  let frame = frames.get(event)
  if (frame === undefined) {
    frame = `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
    frames.set(event, frame)
  }
  return frame
}

/** Resolves when the socket can take more, or when it closes (then the pump stops). */
async function drained(socket: ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.once('drain', done)
    socket.once('close', done)
  })
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
    // Events delivered together (one committed batch, or a replay) go out in one write: a burst to a
    // thousand clients is then a thousand writes per batch, not per event.
    await new Promise((resolve) => setImmediate(resolve))
    try {
      const socket = this.#reply.raw
      while (this.#queue.length > 0 && !this.#closed && this.#reply.sse.isConnected) {
        const frames = this.#queue.splice(0).map(frameOf).join('')
        // Waits for this client's socket only; the others are written by their own pumps.
        if (!socket.write(frames)) await drained(socket)
      }
    } catch {
      this.close()
    } finally {
      this.#pumping = false
      if (this.#ending) this.close()
    }
  }
}
