import type { StatusReport } from '../../../carriers/carrier.ts'
import type { CarrierRegistry } from '../../../carriers/registry.ts'

interface Held {
  report: StatusReport
  at: number
}

// A report is held this long at most: past it, its kept job (keepReports) alone applies it.
const HOLD_MS = 60_000
// Enough for a minute of receipts at several thousand a second; the oldest are forgotten first.
const CAPACITY = 200_000

/**
 * Status reports that arrived before dispatch recorded their carrier ids, held in this process so
 * the dispatch that records an id applies its report right after its transaction commits, instead
 * of the report waiting for its kept job (docs/carriers/overview.md, "A report ahead of its message"). Only a shortcut:
 * each such report is also kept as a job in the database before its receipt is acknowledged, and
 * that job applies it when this process did not (another instance dispatched it, or this one died);
 * applying a report twice changes nothing the second time, as statuses only move forward.
 */
export class HeldReports {
  readonly #held = new Map<string, Held>()

  /** Holds reports of one account's messages; call before reading which ids are unknown. */
  hold(carrier: string, accountId: string, reports: readonly StatusReport[]): void {
    const now = Date.now()
    for (const report of reports) {
      const key = keyOf(carrier, accountId, report.carrierMessageId)
      this.#held.delete(key)
      this.#held.set(key, { report, at: now })
    }
    for (const [key, held] of this.#held) {
      if (this.#held.size <= CAPACITY && now - held.at <= HOLD_MS) break
      this.#held.delete(key)
    }
  }

  /** Takes (and forgets) the held reports on these carrier ids of the account. */
  take(carrier: string, accountId: string, carrierMessageIds: readonly string[]): StatusReport[] {
    const taken: StatusReport[] = []
    if (this.#held.size === 0) return taken
    for (const id of carrierMessageIds) {
      const key = keyOf(carrier, accountId, id)
      const held = this.#held.get(key)
      if (!held) continue
      this.#held.delete(key)
      taken.push(held.report)
    }
    return taken
  }
}

const keyOf = (carrier: string, accountId: string, carrierMessageId: string) =>
  `${carrier}\n${accountId}\n${carrierMessageId}`

// One per process and app: the job runs see copies of deps, but the same carrier registry.
const heldOf = new WeakMap<CarrierRegistry, HeldReports>()

export function heldReports(carriers: CarrierRegistry): HeldReports {
  let held = heldOf.get(carriers)
  if (!held) {
    held = new HeldReports()
    heldOf.set(carriers, held)
  }
  return held
}
