import type { Logger } from 'pino'
import type { Db } from '../../db/database.ts'
import { listenOn, type ChannelListener } from '../../db/listen.ts'
import { eventsInRanges, type SeqRange } from './inbox.repository.ts'
import { STREAMED_EVENTS, type StreamEvent } from './inbox.schemas.ts'
import { toStreamEvent } from './inbox.service.ts'

export const EVENTS_CHANNEL = 'parley_events'

export interface Subscriber {
  accountId: string
  /** Must not block: a slow client queues, it never holds the others up. */
  deliver(event: StreamEvent): void
  close(): void
}

interface Notification extends SeqRange {
  accountId: string
}

/**
 * One per process: a single LISTEN connection hears every committed batch of events (the trigger on
 * `events` notifies per statement, whichever instance wrote it), reads each batch once, and hands it
 * to the connected streams of that account. Batches are read one after another, so each stream gets
 * events in commit order.
 */
export class InboxHub {
  readonly #db: Db
  readonly #connectionString: string
  readonly #log: Logger
  readonly #subscribers = new Map<string, Set<Subscriber>>()
  #listener: ChannelListener | undefined
  #pending: Notification[] = []
  #draining = false

  constructor(options: { db: Db; connectionString: string; log: Logger }) {
    this.#db = options.db
    this.#connectionString = options.connectionString
    this.#log = options.log
  }

  /** Starts hearing the account's events for the subscriber; answers how to stop. */
  async subscribe(subscriber: Subscriber): Promise<() => void> {
    await this.#listen()
    let subscribers = this.#subscribers.get(subscriber.accountId)
    if (!subscribers) this.#subscribers.set(subscriber.accountId, (subscribers = new Set()))
    subscribers.add(subscriber)
    return () => {
      subscribers.delete(subscriber)
      if (subscribers.size === 0 && this.#subscribers.get(subscriber.accountId) === subscribers)
        this.#subscribers.delete(subscriber.accountId)
    }
  }

  get connected(): number {
    let count = 0
    for (const subscribers of this.#subscribers.values()) count += subscribers.size
    return count
  }

  async #listen(): Promise<void> {
    if (!this.#listener) {
      const listener = listenOn({
        connectionString: this.#connectionString,
        channel: EVENTS_CHANNEL,
        onNotification: (payload) => this.#notified(payload),
        // Streams stay open; their clients catch up with Last-Event-ID if they reconnect meanwhile.
        onError: (error) => this.#log.warn({ err: error }, 'inbox event listener lost its connection; listening again')
      })
      this.#listener = listener
      // A first connection that fails is given up, so the stream asking answers the error and the next one tries again.
      listener.ready.catch(() => {
        if (this.#listener === listener) this.#listener = undefined
        void listener.close()
      })
    }
    await this.#listener.ready
  }

  #notified(payload: string): void {
    if (!payload) return
    const { accountId, from, to } = JSON.parse(payload) as Notification
    if (!this.#subscribers.has(accountId)) return
    this.#pending.push({ accountId, from: Number(from), to: Number(to) })
    void this.#drain()
  }

  async #drain(): Promise<void> {
    if (this.#draining) return
    this.#draining = true
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending
        this.#pending = []
        const byAccount = Map.groupBy(batch, (notification) => notification.accountId)
        for (const [accountId, ranges] of byAccount) await this.#deliver(accountId, ranges)
      }
    } finally {
      this.#draining = false
    }
  }

  async #deliver(accountId: string, ranges: readonly SeqRange[]): Promise<void> {
    let rows
    try {
      rows = await eventsInRanges(this.#db, accountId, ranges, STREAMED_EVENTS)
    } catch (error) {
      this.#log.error({ err: error, accountId }, 'could not read events for the live inbox streams')
      return
    }
    const subscribers = this.#subscribers.get(accountId)
    if (!subscribers) return
    for (const row of rows) {
      const event = toStreamEvent(row)
      for (const subscriber of subscribers) subscriber.deliver(event)
    }
  }

  /** Ends every stream (so the server can close) and the listening connection. */
  async close(): Promise<void> {
    for (const subscribers of this.#subscribers.values()) for (const subscriber of subscribers) subscriber.close()
    this.#subscribers.clear()
    const listener = this.#listener
    this.#listener = undefined
    await listener?.close()
  }
}
