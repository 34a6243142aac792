/**
 * A small time-bounded cache. Entries expire after `ttlMs`; past `maxEntries` the oldest insert is
 * dropped (Map keeps insertion order), which bounds memory under a flood of distinct keys.
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expires: number }>()
  readonly #ttlMs: number
  readonly #maxEntries: number

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key)
    if (hit && hit.expires > Date.now()) return hit.value
    const value = await load()
    if (this.#ttlMs > 0) {
      this.#entries.delete(key)
      if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as K)
      this.#entries.set(key, { value, expires: Date.now() + this.#ttlMs })
    }
    return value
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }
}
