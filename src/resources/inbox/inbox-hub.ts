import type { Logger } from 'pino'
import type { Db } from '../../db/database.ts'
import { listenOn, type ChannelListener } from '../../db/listen.ts'
import { eventsInRanges, type SeqRange } from './inbox.repository.ts'
import { STREAMED_EVENTS, type StreamEvent } from './inbox.schemas.ts'
import { toStreamEvent } from './inbox.service.ts'
import { currentAccess, type Access, type Gone } from './stream-access.ts'
import type { Principal } from '../../shared/principal.ts'

export const EVENTS_CHANNEL = 'parley_events'

export interface Subscriber {
  principal: Principal
  /** Must not block: a slow client queues, it never holds the others up. */
  deliver(event: StreamEvent): void
  /** What the principal may see now; a `Gone` ends the stream. */
  recheck(access: Access | Gone): void
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
 *
 * Every `recheckMs` it also reads again what each stream's principal may see, a few queries per
 * account however many streams: a revocation, removal, role or membership change made through any
 * instance reaches the streams of every instance within that time, as it reaches the API's own
 * requests through the authentication cache. Polling rather than a notification from each place that
 * changes access, so a change no one thought to announce (a group deleted, a sender deactivated) is
 * caught too.
 */
export class InboxHub {
  readonly #db: Db
  readonly #connectionString: string
  readonly #log: Logger
  readonly #subscribers = new Map<string, Set<Subscriber>>()
  readonly #recheck: NodeJS.Timeout
  #rechecking = false
  #listener: ChannelListener | undefined
  #pending: Notification[] = []
  #draining = false

  constructor(options: { db: Db; connectionString: string; log: Logger; recheckMs: number }) {
    this.#db = options.db
    this.#connectionString = options.connectionString
    this.#log = options.log
    this.#recheck = setInterval(() => void this.#recheckAccess(), options.recheckMs).unref()
  }

  /** Starts hearing the account's events for the subscriber; answers how to stop. */
  async subscribe(subscriber: Subscriber): Promise<() => void> {
    await this.#listen()
    const { accountId } = subscriber.principal
    let subscribers = this.#subscribers.get(accountId)
    if (!subscribers) this.#subscribers.set(accountId, (subscribers = new Set()))
    subscribers.add(subscriber)
    return () => {
      subscribers.delete(subscriber)
      if (subscribers.size === 0 && this.#subscribers.get(accountId) === subscribers)
        this.#subscribers.delete(accountId)
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

  async #recheckAccess(): Promise<void> {
    // A slow database makes ticks overlap; the next one after this finishes checks again.
    if (this.#rechecking) return
    this.#rechecking = true
    try {
      for (const [accountId, subscribers] of this.#subscribers) {
        const checked = [...subscribers]
        let access
        try {
          access = await currentAccess(
            this.#db,
            accountId,
            checked.map((each) => each.principal)
          )
        } catch (error) {
          // The events themselves come from the same database, so a stream that cannot be checked
          // hears nothing meanwhile either; it is checked again on the next tick.
          this.#log.warn({ err: error, accountId }, 'could not re-check the access of live inbox streams')
          continue
        }
        for (const subscriber of checked) subscriber.recheck(access.get(subscriber.principal)!)
      }
    } finally {
      this.#rechecking = false
    }
  }

  /** Ends every stream (so the server can close) and the listening connection. */
  async close(): Promise<void> {
    clearInterval(this.#recheck)
    for (const subscribers of this.#subscribers.values()) for (const subscriber of subscribers) subscriber.close()
    this.#subscribers.clear()
    const listener = this.#listener
    this.#listener = undefined
    await listener?.close()
  }
}
