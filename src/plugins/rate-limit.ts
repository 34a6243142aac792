import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { ApiError } from '../errors/api-error.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The Redis client of the counters, for other throttles that share them (the token endpoint's). */
    rateLimitRedis: Redis | undefined
    /** Counts a request that carries no valid token against its address; throws REQ-006 past the limit. */
    limitAnonymous: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
    /** Counts a shared file's download against its address; throws REQ-006 past the limit. */
    limitFileDownloads: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
  }
}

export interface RateLimitOptions {
  max: number
  windowMs: number
  /** Requests without a valid token: failed authentication, unknown routes, /ready. */
  anonymous: { max: number; windowMs: number }
  /** Downloads of shared files (GET /files/{token}), which need no token at all. */
  fileDownloads: { max: number; windowMs: number }
  /** Counters live in Redis when set, so every instance shares them; in process memory otherwise. */
  redisUrl?: string
}

/**
 * One warning when Redis becomes unreachable and one when it answers again. Without an `error`
 * listener ioredis printed a stack trace to stderr on every reconnect attempt (21 in a 15 s outage),
 * outside the log, and said nothing about the rate limits failing open meanwhile.
 */
function watchRedis(redis: Redis, log: Pick<Logger, 'warn'>): void {
  let reachable = true
  redis.on('error', (error: NodeJS.ErrnoException) => {
    if (!reachable) return
    reachable = false
    log.warn(
      { redis: { error: error.message, code: error.code } },
      'Redis is unreachable: the API rate limit lets every request through until it answers again'
    )
  })
  redis.on('ready', () => {
    if (reachable) return
    reachable = true
    log.warn('Redis answers again: the API rate limit is enforced again')
  })
}

/** Authenticated calls count against their API credential; anonymous ones against their address. */
function keyOf(request: FastifyRequest): string {
  return request.principal ? `credential:${request.principal.credentialId}` : `ip:${request.ip}`
}

export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, options) => {
    const redis = options.redisUrl
      ? new Redis(options.redisUrl, {
          connectTimeout: 2000,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          // Connected once the app is built: building it can hold the event loop past connectTimeout
          // on a busy machine, which read as an outage at every start.
          lazyConnect: true
        })
      : undefined
    app.decorate('rateLimitRedis', redis)
    if (redis) {
      watchRedis(redis, app.log)
      // Not awaited: an instance starts while Redis is down (the limits fail open), and ioredis keeps
      // trying; watchRedis reports it.
      app.addHook('onReady', async () => void redis.connect().catch(() => {}))
      app.addHook('onClose', async () => {
        // QUIT needs a connection (no offline queue): refused while Redis is down, it would leave
        // ioredis reconnecting after the app closed.
        if (redis.status === 'ready') await redis.quit()
        else redis.disconnect()
      })
    }

    await app.register(rateLimit, {
      global: true,
      max: options.max,
      timeWindow: options.windowMs,
      // After authentication, so the key is the credential rather than the address.
      hook: 'preHandler',
      keyGenerator: keyOf,
      redis,
      nameSpace: 'parley-rate-limit:',
      // A Redis outage must not take the API down with it.
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new ApiError('REQ-006', `Rate limit exceeded: ${context.max} requests per ${context.after}; retry later`)
    })

    // Traffic that never authenticates never reaches the per-credential limit above (it runs after
    // authentication), so it has its own, per client address (test/app/rate-limit.test.ts).
    app.decorate(
      'limitAnonymous',
      app.rateLimit({
        max: options.anonymous.max,
        timeWindow: options.anonymous.windowMs,
        keyGenerator: (request) => `anonymous:${request.ip}`
      })
    )
    // A shared file's link needs no token, so its downloads are counted per address on their own
    // budget: carriers fetching MMS media do not use up the anonymous one (test/resources/files-limits.test.ts).
    app.decorate(
      'limitFileDownloads',
      app.rateLimit({
        max: options.fileDownloads.max,
        timeWindow: options.fileDownloads.windowMs,
        keyGenerator: (request) => `file-download:${request.ip}`
      })
    )
  },
  { name: 'rate-limit' }
)
