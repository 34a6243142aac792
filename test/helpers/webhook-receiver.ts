import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

export interface Received {
  id: string
  eventType: string
  accountId: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the payload loosely, as response.json() is
  payload: any
  headers: IncomingHttpHeaders
  /** Which of the receiver's secrets verified it (their index in `secrets`). */
  verifiedBy: number[]
}

/** What the receiver answers a request with: a status, or 'hang' to never answer (a timeout). */
export type Answer = number | 'hang'

interface TestContext {
  teardown: (fn: () => unknown) => void
}

/**
 * A real HTTP receiver on 127.0.0.1 that verifies every request with the standardwebhooks library's
 * own verification against each of its secrets. `answer` decides the reply per request; only
 * requests answered 2xx are counted as `delivered`.
 */
export async function startReceiver(t: TestContext, answer: (body: Received, attempt: number) => Answer = () => 204) {
  const secrets: string[] = []
  const requests: Received[] = []
  const delivered: Received[] = []
  const unverified: string[] = []
  const attempts = new Map<string, number>()
  const hanging = new Set<() => void>()

  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const headers = request.headers as Record<string, string>
      const verifiedBy = secrets.flatMap((secret, index) => {
        try {
          new Webhook(secret).verify(raw, headers)
          return [index]
        } catch {
          return []
        }
      })
      const body = JSON.parse(raw)
      const received: Received = { ...body, headers: request.headers, verifiedBy }
      if (verifiedBy.length === 0) unverified.push(body.id)
      requests.push(received)
      const attempt = (attempts.get(body.id) ?? 0) + 1
      attempts.set(body.id, attempt)
      const reply = answer(received, attempt)
      if (reply === 'hang') {
        const release = () => response.destroy()
        hanging.add(release)
        return
      }
      if (reply >= 200 && reply < 300) delivered.push(received)
      response.statusCode = reply
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  t.teardown(async () => {
    for (const release of hanging) release()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${port}/hooks`, secrets, requests, delivered, unverified, attempts }
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>

/** Settings that make delivery quick to test: retries after 100 ms, 200 ms, 300 ms, and short timeouts. */
export const quickWebhooks = {
  PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true',
  PARLEY_WEBHOOKS_RETRY_SCHEDULE: '0.1,0.2,0.3',
  PARLEY_WEBHOOKS_TIMEOUT_MS: '500',
  PARLEY_WEBHOOKS_POLL_MS: '20'
}

// Every IPv6 form that carries an IPv4 address, and other IPv6 space no receiver uses refused at
// subscribe (test/resources/webhooks.test.ts) and at delivery (test/jobs/webhook-delivery.test.ts).
export const embeddedAddressForms = [
  '[::127.0.0.1]', // IPv4-compatible (deprecated): loopback, private, link-local metadata
  '[::10.0.0.1]',
  '[::169.254.169.254]',
  '[::ffff:127.0.0.1]', // IPv4-mapped: through the dual stack it reaches 127.0.0.1
  '[::ffff:10.0.0.1]',
  '[::ffff:93.184.215.14]', // IPv4-mapped, even of a public address
  '[::ffff:0:127.0.0.1]', // IPv4-translated (SIIT)
  '[::ffff:0:169.254.169.254]',
  '[64:ff9b::127.0.0.1]', // NAT64 well-known prefix, private embedded address
  '[64:ff9b::10.0.0.1]',
  '[64:ff9b::169.254.169.254]',
  '[64:ff9b:1::a00:1]', // NAT64 local-use prefix
  '[2002:7f00:1::1]', // 6to4 of 127.0.0.1
  '[2002:5db8:d70e::1]', // 6to4 of a public address: relays are deprecated
  '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', // Teredo
  '[::]',
  '[100::1]', // discard
  '[2001:db8::1]', // documentation
  '[4000::1]', // reserved, outside global unicast
  '[fe80::1]',
  '[ff02::1]'
]
