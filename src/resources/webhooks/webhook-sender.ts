import { isIP } from 'node:net'
import { Agent, buildConnector, request } from 'undici'
import { isPublicAddress, publicLookup } from './webhook-address.ts'

export interface AttemptResult {
  /** The receiver's HTTP status; absent when no answer came (timeout, connection error, refusal). */
  status?: number
  latencyMs: number
  /** Why the attempt did not reach the receiver. */
  error?: string
  /** The receiver's Retry-After (on 429 and 503), in milliseconds. */
  retryAfterMs?: number
}

export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult>
  close(): Promise<void>
}

/**
 * POSTs deliveries through one connection pool. Unless private addresses are allowed, an address
 * written in the URL is checked before it is dialled (no lookup runs for it), the lookup of a name
 * skips internal addresses so they are not dialled at all, and the socket's own peer address is
 * checked once connected, so a name that resolved to a public address when subscribed and to an
 * internal one now (DNS rebinding) is still refused. undici follows no redirects unless told to.
 */
export function createWebhookSender(options: { allowPrivate: boolean; timeoutMs: number }): WebhookSender {
  const connectOptions = { timeout: options.timeoutMs, ...(options.allowPrivate ? {} : { lookup: publicLookup }) }
  const connectRaw = buildConnector(connectOptions)
  const refusal = (address: string | undefined) =>
    new Error(`refused to deliver to ${address ?? 'an unknown address'}: not a public address`)
  const connect: buildConnector.connector = (connectTo, callback) => {
    if (!options.allowPrivate && isIP(connectTo.hostname) && !isPublicAddress(connectTo.hostname))
      return callback(refusal(connectTo.hostname), null)
    connectRaw(connectTo, (error, socket) => {
      if (error) return callback(error, null)
      const peer = socket.remoteAddress
      if (!options.allowPrivate && (peer === undefined || !isPublicAddress(peer))) {
        socket.destroy()
        return callback(refusal(peer), null)
      }
      callback(null, socket)
    })
  }
  const agent = new Agent({ connect, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs })

  return {
    async post(url, headers, body) {
      const started = performance.now()
      const latency = () => Math.round(performance.now() - started)
      try {
        const answer = await request(url, {
          method: 'POST',
          headers,
          body,
          dispatcher: agent,
          signal: AbortSignal.timeout(options.timeoutMs)
        })
        // Only the status matters; the body is read and dropped so the connection can be reused.
        await answer.body.dump({ limit: 64 * 1024 })
        const retryAfterMs =
          answer.statusCode === 429 || answer.statusCode === 503 ? retryAfter(answer.headers['retry-after']) : undefined
        return { status: answer.statusCode, latencyMs: latency(), ...(retryAfterMs ? { retryAfterMs } : {}) }
      } catch (error) {
        return { latencyMs: latency(), error: describe(error) }
      }
    },
    close: () => agent.close()
  }
}

/** Retry-After as seconds or as an HTTP date, in milliseconds from now. */
function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (!value) return undefined
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now()
  return Number.isFinite(ms) && ms > 0 ? ms : undefined
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out'
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return `${error.message}${cause}`.slice(0, 500)
}
