import { ApiError } from '../../errors/api-error.ts'
import type { Principal } from '../../shared/principal.ts'

/**
 * How many live inbox streams this instance holds per credential and per acting user. Each open
 * stream holds a socket, a file descriptor and its buffers, so without a cap one caller could open
 * them until the process runs out (docs/shared-inbox.md, "Stream limits").
 *
 * The count is per instance, not across instances: what a stream exhausts (memory, descriptors) is
 * the instance's own, so a per-instance cap is what protects each one; n instances allow n times the
 * cap, which grows with the capacity the installation runs anyway. A count shared across instances
 * would need a registry that outlives a crashed instance (leases in PostgreSQL or Redis, which is
 * optional here and fails open): its streams would keep counting until their lease ran out, refusing
 * the very clients reconnecting after the crash.
 */
export class StreamSlots {
  readonly #perCredential: number
  readonly #perUser: number
  readonly #open = new Map<string, number>()

  constructor(limits: { perCredential: number; perUser: number }) {
    this.#perCredential = limits.perCredential
    this.#perUser = limits.perUser
  }

  /** Takes a place for one more stream of the principal, or answers INBOX-001; answers how to give it back (once). */
  take(principal: Principal): () => void {
    const keys = [{ key: `credential ${principal.credentialId}`, limit: this.#perCredential, whose: 'This credential' }]
    if (principal.user)
      keys.push({ key: `user ${principal.accountId} ${principal.user.id}`, limit: this.#perUser, whose: 'This user' })
    for (const { key, limit, whose } of keys) {
      if ((this.#open.get(key) ?? 0) >= limit)
        throw new ApiError(
          'INBOX-001',
          `${whose} already has ${limit} open inbox event streams on this server, the most allowed; close one first`
        )
    }
    for (const { key } of keys) this.#open.set(key, (this.#open.get(key) ?? 0) + 1)
    let given = false
    return () => {
      if (given) return
      given = true
      for (const { key } of keys) {
        const left = this.#open.get(key)! - 1
        if (left === 0) this.#open.delete(key)
        else this.#open.set(key, left)
      }
    }
  }
}
