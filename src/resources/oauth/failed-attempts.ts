import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

export interface FailureLimits {
  /** Wrong secrets a client id may see in a window, from any address. */
  perClientId: number
  /** Wrong secrets an address may send in a window, over every client id. */
  perAddress: number
  windowMs: number
}

/**
 * Counts failed token requests per client id and per address (brute force), never successful ones:
 * a client presenting its right secret may fetch a token before every call. Counters live in Redis
 * when configured, so every instance shares them, with process memory standing in while Redis is
 * down (as the API's own rate limit skips on a Redis error).
 */
export class FailedAttempts {
  readonly #byClientId: RateLimiterAbstract
  readonly #byAddress: RateLimiterAbstract
  readonly #limits: FailureLimits

  constructor(limits: FailureLimits, redis?: Redis) {
    this.#limits = limits
    const limiter = (keyPrefix: string, points: number): RateLimiterAbstract => {
      const options = { keyPrefix, points, duration: Math.ceil(limits.windowMs / 1000) }
      const memory = new RateLimiterMemory(options)
      return redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory }) : memory
    }
    this.#byClientId = limiter('parley-token-failures:client', limits.perClientId)
    this.#byAddress = limiter('parley-token-failures:address', limits.perAddress)
  }

  /** Milliseconds until this client id and address may try again (0: now), spending nothing. */
  async retryAfterMs(clientId: string, address: string): Promise<number> {
    const [client, source] = await Promise.all([this.#byClientId.get(clientId), this.#byAddress.get(address)])
    const spent = (state: RateLimiterRes | null, limit: number) =>
      state && state.consumedPoints >= limit ? Math.max(state.msBeforeNext, 1) : 0
    return Math.max(spent(client, this.#limits.perClientId), spent(source, this.#limits.perAddress))
  }

  /**
   * Takes one try from the client id's and the address's budgets before the secret is checked (so a
   * parallel burst of guesses cannot all slip past one read), and answers 0, or the milliseconds to
   * wait when either budget is spent (a refused try is given back to the other budget).
   */
  async begin(clientId: string, address: string): Promise<number> {
    const tries = await Promise.allSettled([this.#byClientId.consume(clientId), this.#byAddress.consume(address)])
    const waits = tries.map((attempt) => {
      if (attempt.status === 'fulfilled') return 0
      if (attempt.reason instanceof RateLimiterRes) return Math.max(attempt.reason.msBeforeNext, 1)
      throw attempt.reason
    })
    if (waits.every((wait) => wait === 0)) return 0
    await this.#giveBack(clientId, address, waits)
    return Math.max(...waits)
  }

  /** The secret was right: the try does not count. */
  async succeeded(clientId: string, address: string): Promise<void> {
    await this.#giveBack(clientId, address, [0, 0])
  }

  async #giveBack(clientId: string, address: string, waits: number[]): Promise<void> {
    await Promise.all([
      waits[0] === 0 ? this.#byClientId.reward(clientId) : undefined,
      waits[1] === 0 ? this.#byAddress.reward(address) : undefined
    ])
  }
}
