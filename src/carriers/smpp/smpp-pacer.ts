import { setTimeout as sleep } from 'node:timers/promises'

// The pace of submits: at most `windowSize` awaiting their response, at most `throughput` a second,
// and a pause that grows while the SMSC answers ESME_RTHROTTLED or ESME_RMSGQFUL.

export interface PacerOptions {
  windowSize: number
  /** submit_sm PDUs a second; undefined for no cap of our own. */
  throughput: number | undefined
  throttlePauseMinMs: number
  throttlePauseMaxMs: number
}

export interface Pacer {
  /** Waits for a free place in the window and for the next send slot; pair with release(). */
  acquire: () => Promise<void>
  release: () => void
  throttled: () => void
  accepted: () => void
  state: () => { inFlight: number; pausedUntil: Date | null }
}

export function createPacer(options: PacerOptions): Pacer {
  const interval = options.throughput ? 1000 / options.throughput : 0
  let inFlight = 0
  const waiters: Array<() => void> = []
  let nextSlot = 0
  let pausedUntil = 0
  let throttles = 0
  // Slots are handed out in turn, so one long pause holds every later submit behind it.
  let turn: Promise<void> = Promise.resolve()

  return {
    async acquire() {
      while (inFlight >= options.windowSize) await new Promise<void>((resolve) => waiters.push(resolve))
      inFlight++
      const mine = turn.then(async () => {
        const wait = Math.max(nextSlot, pausedUntil) - Date.now()
        if (wait > 0) await sleep(wait)
        nextSlot = Math.max(Date.now(), nextSlot) + interval
      })
      turn = mine
      await mine
    },
    release() {
      inFlight--
      waiters.shift()?.()
    },
    throttled() {
      const pause = Math.min(options.throttlePauseMaxMs, options.throttlePauseMinMs * 2 ** Math.min(throttles++, 16))
      pausedUntil = Math.max(pausedUntil, Date.now() + pause)
    },
    accepted() {
      throttles = 0
    },
    state: () => ({ inFlight, pausedUntil: pausedUntil > Date.now() ? new Date(pausedUntil) : null })
  }
}
