import pg from 'pg'
import type { Logger } from 'pino'
import type { Db } from '../../db/database.ts'
import { eventsInRanges, type SeqRange } from './inbox.repository.ts'
import { STREAMED_EVENTS, type StreamEvent } from './inbox.schemas.ts'
import { toStreamEvent } from './inbox.service.ts'

export const EVENTS_CHANNEL = 'parley_events'
const RELISTEN_MS = 1000

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
  #listener: Promise<pg.Client> | undefined
  #pending: Notification[] = []
  #draining = false
  #closed = false

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

  async #listen(): Promise<pg.Client> {
    this.#listener ??= this.#connect().catch((error: unknown) => {
      this.#listener = undefined
      throw error
    })
    return await this.#listener
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#connectionString })
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return
      const { accountId, from, to } = JSON.parse(message.payload) as Notification
      if (!this.#subscribers.has(accountId)) return
      this.#pending.push({ accountId, from: Number(from), to: Number(to) })
      void this.#drain()
    })
    client.on('error', (error) => {
      // Streams stay open; their clients catch up with Last-Event-ID if they reconnect meanwhile.
      this.#log.warn({ err: error }, 'inbox event listener lost its connection; listening again')
      this.#listener = undefined
      client.end().catch(() => {})
      setTimeout(() => {
        if (!this.#closed && this.#subscribers.size > 0) this.#listen().catch(() => {})
      }, RELISTEN_MS).unref()
    })
    await client.connect()
    await client.query(`LISTEN ${EVENTS_CHANNEL}`)
    return client
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
    this.#closed = true
    for (const subscribers of this.#subscribers.values()) for (const subscriber of subscribers) subscriber.close()
    this.#subscribers.clear()
    const listener = this.#listener
    this.#listener = undefined
    if (listener) await (await listener.catch(() => undefined))?.end()
  }
}
