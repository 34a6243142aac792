import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'
import type { ReplayPage } from './inbox.service.ts'
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

/** Rows read from the outbox per replay query. */
const REPLAY_PAGE = 50
/** Replayed characters handed to the socket before waiting for it to take them. */
const REPLAY_CHUNK_BYTES = 65536

/**
 * A replay page as frames only, so the parsed rows are not kept while the client is waited for
 * (a page's rows take several times its frames' memory).
 */
async function framesOf(
  readPage: (afterSeq: number, size: number) => Promise<ReplayPage>,
  afterSeq: number
): Promise<{ frames: Array<[number, string]>; next: number | undefined }> {
  const { events, next } = await readPage(afterSeq, REPLAY_PAGE)
  return { frames: events.map((event) => [event.seq, frameOf(event)]), next }
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

export interface StreamBounds {
  /** Events waiting for the client before it is disconnected, and the most one connection replays. */
  maxEvents: number
  /** Characters waiting for the client, here or in its socket's buffer, before it is disconnected. */
  maxBytes: number
}

/**
 * One client's outgoing events: delivering only queues, and one pump per client writes the queue,
 * waiting for that socket to drain. A client that falls more than `maxEvents` events or `maxBytes`
 * characters behind is disconnected (it reconnects with Last-Event-ID and catches up from the
 * outbox) rather than buffering without bound. A replay is read a page at a time, the next page only
 * once the socket has taken the last, so a client that does not read holds at most a page of it
 * (50 events) here. While the missed events are replayed, live ones are held back so the client sees
 * them in order, each once.
 */
export class ClientStream {
  readonly #reply: FastifyReply
  readonly #bounds: StreamBounds
  #queue: string[] = []
  #queuedBytes = 0
  #held: StreamEvent[] | undefined = []
  #heldBytes = 0
  #pumping: Promise<void> | undefined
  #closed = false
  #ending = false

  constructor(reply: FastifyReply, bounds: StreamBounds) {
    this.#reply = reply
    this.#bounds = bounds
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Closed here, or by the client: either way nothing more is worth reading for it. */
  get #gone(): boolean {
    return this.#closed || !this.#reply.sse.isConnected
  }

  deliver(event: StreamEvent): void {
    if (this.#closed || this.#ending) return
    if (!this.#held) return this.#enqueue(event)
    if (!this.#withinBounds()) return
    this.#held.push(event)
    this.#heldBytes += frameOf(event).length
  }

  /**
   * Replays what the client missed after `afterSeq`, then the live events that arrived meanwhile and
   * were not among them. More than `maxEvents` missed: the stream ends once those are written, and
   * the client reconnects from the last one it got.
   */
  async replay(readPage: (afterSeq: number, size: number) => Promise<ReplayPage>, afterSeq: number): Promise<void> {
    const replayed = new Set<number>()
    const chunk = Math.min(REPLAY_CHUNK_BYTES, this.#bounds.maxBytes / 2)
    let cursor: number | undefined = afterSeq
    while (cursor !== undefined && !this.#gone) {
      const page = await framesOf(readPage, cursor)
      cursor = page.next
      for (const [seq, frame] of page.frames) {
        if (replayed.size === this.#bounds.maxEvents) {
          this.#held = undefined
          this.closeWhenSent()
          return
        }
        if (this.#queuedBytes + this.#reply.raw.writableLength >= chunk) await this.#flushed()
        if (this.#gone) return
        replayed.add(seq)
        this.#push(frame)
      }
      if (cursor !== undefined) await this.#flushed()
    }
    if (!this.#gone) this.#release(replayed)
  }

  /** Sends the replayed events, then the live ones that arrived meanwhile and were not among them. */
  resume(replayed: readonly StreamEvent[]): void {
    for (const event of replayed) this.#push(frameOf(event))
    this.#release(new Set(replayed.map((event) => event.seq)))
  }

  /** Ends the stream once what is queued has been written; nothing more is queued meanwhile. */
  closeWhenSent(): void {
    this.#ending = true
    if (!this.#pumping) this.close()
  }

  /**
   * Ends the stream. A client that has not taken what its socket holds, or that is being let go for
   * being too slow (`cut`), loses its connection rather than keeping it (and that buffer) until it reads.
   */
  close(options: { cut?: boolean } = {}): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue = []
    this.#held = undefined
    // Destroying closes the response too, which runs the stream's close callbacks as ending does.
    if (options.cut || this.#reply.raw.writableLength > 0) this.#reply.raw.destroy()
    else this.#reply.sse.close()
  }

  #release(replayed: ReadonlySet<number>): void {
    const held = this.#held ?? []
    this.#held = undefined
    this.#heldBytes = 0
    for (const event of held) if (!replayed.has(event.seq)) this.#enqueue(event)
  }

  #unsentBytes(): number {
    return this.#queuedBytes + this.#heldBytes + this.#reply.raw.writableLength
  }

  /**
   * Whether the client may be given one more event: not while it is already `maxEvents` events or
   * more than `maxBytes` behind (then it is cut off). Counted before the event, so one event larger
   * than the bound is still sent to a client that keeps up.
   */
  #withinBounds(): boolean {
    const events = this.#queue.length + (this.#held?.length ?? 0)
    if (events < this.#bounds.maxEvents && this.#unsentBytes() <= this.#bounds.maxBytes) return true
    this.#reply.log.warn({ events, bytes: this.#unsentBytes() }, 'inbox stream client too slow; disconnecting it')
    this.close({ cut: true })
    return false
  }

  #enqueue(event: StreamEvent): void {
    if (this.#closed || !this.#withinBounds()) return
    this.#push(frameOf(event))
  }

  #push(frame: string): void {
    this.#queue.push(frame)
    this.#queuedBytes += frame.length
    this.#pumping ??= this.#pump()
  }

  /** Resolves once everything queued has been handed to a socket that can take more, or the stream closed. */
  async #flushed(): Promise<void> {
    while (this.#pumping) await this.#pumping
  }

  async #pump(): Promise<void> {
    // Events delivered together (one committed batch, or a replay) go out in one write: a burst to a
    // thousand clients is then a thousand writes per batch, not per event.
    await new Promise((resolve) => setImmediate(resolve))
    try {
      const socket = this.#reply.raw
      while (this.#queue.length > 0 && !this.#closed && this.#reply.sse.isConnected) {
        const chunk = this.#queue.join('')
        this.#queue = []
        this.#queuedBytes = 0
        // Waits for this client's socket only; the others are written by their own pumps.
        if (!socket.write(chunk)) await drained(socket)
      }
    } catch {
      this.close()
    } finally {
      this.#pumping = undefined
      if (this.#ending) this.close()
    }
  }
}
