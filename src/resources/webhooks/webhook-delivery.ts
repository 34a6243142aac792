import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { WebhookOptions } from '../../config.ts'
import type { Db } from '../../db/database.ts'
import { listenOn, type ChannelListener } from '../../db/listen.ts'
import {
  claimSubscriptions,
  disableSubscription,
  dueDeliveries,
  recordAttempt,
  releaseLease,
  type AttemptRecord,
  type DueDelivery
} from './webhook-deliveries.repository.ts'
import { createWebhookSender, type AttemptResult, type WebhookSender } from './webhook-sender.ts'
import { signatureHeader } from './webhook-signing.ts'

// Deliveries one lease covers before the subscription goes back to the pool, so a busy receiver
// takes its turn with the others instead of keeping its slot for ever.
const DRAIN_LIMIT = 500
const RETRY_AFTER_CAP_MS = 60 * 60 * 1000
// Deliveries read at once. A pause or a URL change stops the batch at the next attempt's record,
// which renews the lease only while the subscription is active at the URL the batch was read with.
const BATCH_SIZE = 50

/**
 * Delivers the webhook outbox. Not a pg-boss task: ordering needs exactly one delivery in flight
 * per subscription and isolation needs the subscriptions independent, which a lease on the
 * subscription row gives directly (docs/webhooks.md). Each process runs up to `concurrency`
 * subscriptions at once, each in its own loop, so a receiver that times out holds one slot, never
 * the others' queues.
 */
export class WebhookDelivery {
  readonly #db: Db
  readonly #log: Logger
  readonly #options: WebhookOptions
  readonly #sender: WebhookSender
  readonly #inFlight = new Set<Promise<void>>()
  readonly #databaseUrl: string | undefined
  #listener: ChannelListener | undefined
  #running = false
  #polling: Promise<void> | undefined
  #wake: AbortController = new AbortController()

  constructor(db: Db, log: Logger, options: WebhookOptions, databaseUrl?: string) {
    this.#db = db
    this.#databaseUrl = databaseUrl
    this.#log = log.child({ component: 'webhooks' })
    this.#options = options
    this.#sender = createWebhookSender(options)
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    if (this.#databaseUrl)
      // The fan-out trigger notifies at commit; until a lost connection is back, polling finds the deliveries.
      this.#listener = listenOn({
        connectionString: this.#databaseUrl,
        channel: 'webhook_deliveries',
        onNotification: () => this.#wake.abort(),
        onError: (error) => this.#log.warn({ err: error }, 'webhook notifications lost; polling until reconnected')
      })
    this.#polling = this.#poll()
  }

  /** Stops claiming, lets deliveries in flight finish (each is bounded by the timeout), releases the pool. */
  async stop(): Promise<void> {
    this.#running = false
    this.#wake.abort()
    await this.#listener?.close()
    await this.#polling
    await Promise.allSettled(this.#inFlight)
    await this.#sender.close()
  }

  get #leaseMs(): number {
    return this.#options.timeoutMs * 2 + 2000
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      try {
        const free = this.#options.concurrency - this.#inFlight.size
        if (free > 0) {
          const leaseUntil = new Date(Date.now() + this.#leaseMs)
          for (const subscriptionId of await claimSubscriptions(this.#db, free, leaseUntil)) {
            const draining = this.#drain(subscriptionId, leaseUntil).finally(() => {
              this.#inFlight.delete(draining)
              this.#wake.abort()
            })
            this.#inFlight.add(draining)
          }
        }
      } catch (error) {
        this.#log.error({ err: error }, 'webhook delivery could not claim subscriptions')
      }
      if (!this.#running) break
      await sleep(this.#options.pollMs, undefined, { signal: this.#wake.signal }).catch(() => undefined)
      if (this.#wake.signal.aborted) this.#wake = new AbortController()
    }
  }

  /**
   * Sends the subscription's due deliveries one at a time, in order. Each attempt's record (with the
   * lease renewal) is written while the next request is in flight, which roughly halves the time a
   * delivery takes; it is awaited before the next record and before reading more, so the records
   * stay in order and nothing recorded late is read as still pending.
   */
  async #drain(subscriptionId: string, leaseUntil: Date): Promise<void> {
    let held = leaseUntil
    let recorded: Promise<boolean> = Promise.resolve(true)
    try {
      for (let sent = 0; sent < DRAIN_LIMIT && this.#running;) {
        if (!(await recorded)) return
        const batch = await dueDeliveries(this.#db, subscriptionId, BATCH_SIZE)
        if (batch.length === 0) break
        for (const delivery of batch) {
          sent++
          const { record, gone } = await this.#attempt(delivery)
          if (!(await recorded)) return
          const until = new Date(Date.now() + this.#leaseMs)
          recorded = this.#record(delivery, record, { held, until })
          held = until
          if (gone || record.state === 'pending') {
            if (!(await recorded)) return
            if (gone) await disableSubscription(this.#db, subscriptionId, 'The receiver answered 410 Gone')
            return await releaseLease(this.#db, subscriptionId, held)
          }
        }
      }
      if (await recorded) await releaseLease(this.#db, subscriptionId, held)
    } catch (error) {
      // The lease lapses on its own and the delivery is attempted again: at least once.
      this.#log.error({ err: error, subscription: subscriptionId }, 'webhook delivery stopped on a database error')
    }
  }

  /**
   * Answers false when the lease was lost, the subscription was paused or moved, or the record failed:
   * this worker then stops and the lease lapses.
   */
  async #record(delivery: DueDelivery, attempt: AttemptRecord, lease: { held: Date; until: Date }) {
    try {
      return await recordAttempt(this.#db, delivery, attempt, lease)
    } catch (error) {
      this.#log.error({ err: error, subscription: delivery.subscription_id }, 'webhook attempt not recorded')
      return false
    }
  }

  /** One attempt, logged. */
  async #attempt(delivery: DueDelivery): Promise<{ record: AttemptRecord; gone: boolean }> {
    const body = JSON.stringify({
      id: delivery.event_id,
      accountId: delivery.account_id,
      eventType: delivery.event_type,
      createdAt: delivery.event_created_at.toISOString(),
      payload: delivery.payload
    })
    const at = new Date()
    const secrets = delivery.previous_secret ? [delivery.secret, delivery.previous_secret] : [delivery.secret]
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Parley-Webhooks/1',
      'webhook-id': delivery.event_id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signatureHeader(secrets, delivery.event_id, at, body)
    }
    const result = await this.#sender.post(delivery.url, headers, body)
    const record = this.#outcome(delivery, result)
    const gone = result.status === 410
    this.#log.info(
      {
        subscription: delivery.subscription_id,
        delivery: delivery.id,
        eventId: delivery.event_id,
        eventType: delivery.event_type,
        attempt: record.attempts,
        status: result.status,
        latencyMs: result.latencyMs,
        error: result.error,
        state: gone ? 'disabled' : record.state
      },
      'webhook attempt'
    )
    return { record, gone }
  }

  #outcome(delivery: DueDelivery, result: AttemptResult): AttemptRecord {
    const attempts = delivery.attempts + 1
    const delivered = result.status !== undefined && result.status >= 200 && result.status < 300
    const error = result.error ?? (delivered ? undefined : `HTTP ${result.status}`)
    const base = { attempts, status: result.status, latencyMs: result.latencyMs, error }
    if (delivered) return { ...base, state: 'delivered', nextAttemptAt: new Date() }
    const delay = this.#options.retryDelaysMs[attempts - 1]
    if (delay === undefined) return { ...base, state: 'failed', nextAttemptAt: new Date() }
    // ±20 % jitter, so receivers recovering from an outage are not hit by every sender at once. A
    // receiver's Retry-After pushes the retry later, up to an hour, never earlier.
    const jittered = delay * (0.8 + Math.random() * 0.4)
    const wait = Math.max(jittered, Math.min(result.retryAfterMs ?? 0, RETRY_AFTER_CAP_MS))
    return { ...base, state: 'pending', nextAttemptAt: new Date(Date.now() + wait) }
  }
}
