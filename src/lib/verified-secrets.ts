import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Remembers, per credential, the last client secret that passed the scrypt check, as an HMAC under a
 * key made at start-up and never stored. A client that fetches a token before every call (Sakari's
 * SDK does) then costs one HMAC (microseconds) instead of one scrypt (about 50 ms and 32 MiB): see
 * scripts/bench/token.ts. What the database stores is unchanged, and an entry is only used together
 * with the stored hash it was checked against, so a changed secret misses. Entries live in this
 * process only; the caller still reads the credential (and its revocation) from the database.
 */
export class VerifiedSecrets {
  readonly #key = randomBytes(32)
  readonly #entries = new Map<string, { secretHash: string; mac: Buffer }>()
  /** Checks running now, so a burst of requests with one secret costs one scrypt. */
  readonly #running = new Map<string, Promise<boolean>>()
  readonly #maxEntries: number

  constructor(maxEntries = 10_000) {
    this.#maxEntries = maxEntries
  }

  #mac(secret: string): Buffer {
    return createHmac('sha256', this.#key).update(secret).digest()
  }

  #runningKey(credentialId: string, secretHash: string, secret: string): string {
    return `${credentialId}\n${secretHash}\n${this.#mac(secret).toString('base64')}`
  }

  /** Whether `secret` is the one that last verified against this stored hash. */
  matches(credentialId: string, secretHash: string, secret: string): boolean {
    const entry = this.#entries.get(credentialId)
    return entry !== undefined && entry.secretHash === secretHash && timingSafeEqual(entry.mac, this.#mac(secret))
  }

  /** The check of this very secret that is running now, to wait for instead of starting another. */
  running(credentialId: string, secretHash: string, secret: string): Promise<boolean> | undefined {
    return this.#running.get(this.#runningKey(credentialId, secretHash, secret))
  }

  /** Runs `slowCheck` for the secret, shared with callers that ask meanwhile; a secret that passes is remembered. */
  check(credentialId: string, secretHash: string, secret: string, slowCheck: () => Promise<boolean>): Promise<boolean> {
    const key = this.#runningKey(credentialId, secretHash, secret)
    const running = slowCheck()
      .then((passed) => {
        if (passed) this.#remember(credentialId, secretHash, secret)
        return passed
      })
      .finally(() => this.#running.delete(key))
    this.#running.set(key, running)
    return running
  }

  #remember(credentialId: string, secretHash: string, secret: string): void {
    this.#entries.delete(credentialId)
    // Past the bound the oldest entry goes (a Map keeps insertion order); it only costs a scrypt later.
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string)
    this.#entries.set(credentialId, { secretHash, mac: this.#mac(secret) })
  }

  forget(credentialId: string): void {
    this.#entries.delete(credentialId)
  }
}
