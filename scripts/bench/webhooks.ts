// npm run bench -- webhooks [--events 2000] [--steady 400] [--rate 20] [--timeout-ms 10000]
// Webhook delivery to local receivers on 127.0.0.1, in one run:
//   1. one subscription, 2. ten subscriptions, 3. the same ten while an eleventh receiver never answers
//      (every attempt runs into the timeout).
// Each phase measures a burst (one CSV import writing --events contact-created events in one
// transaction: the delivery pipeline's rate) and a steady stream (--steady single-contact creates
// at --rate a second: the delay from the change, the event's recorded time, to its arrival, p50 and p99).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { freshDatabase, option, startParley, type Parley } from './harness.ts'

const burst = option('events', 2000)
const steady = option('steady', 400)
const timeoutMs = option('timeout-ms', 10_000)
const rate = option('rate', 20)

interface Receiver {
  url: string
  arrivals: number
  delaysMs: number[]
  lastArrival: number
  server: Server
}

async function receiver(hang = false): Promise<Receiver> {
  const state = { arrivals: 0, delaysMs: [] as number[], lastArrival: 0 }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (hang) return
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { createdAt: string }
      state.arrivals++
      state.lastArrival = Date.now()
      state.delaysMs.push(Date.now() - Date.parse(event.createdAt))
      response.statusCode = 204
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, { url: `http://127.0.0.1:${port}/hooks`, server })
}

const database = await freshDatabase()
let parley: Parley | undefined
const servers: Server[] = []
try {
  parley = await startParley(database.url, {
    PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true',
    PARLEY_WEBHOOKS_TIMEOUT_MS: String(timeoutMs),
    PARLEY_IMPORT_SYNC_MAX_ROWS: String(burst)
  })
  const base = `${parley.baseUrl}/v1/accounts/${parley.accountId}`
  const call = async (method: string, path: string, body?: string, contentType = 'application/json') => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...parley!.headers, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body
    })
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
    return response.status === 204 ? undefined : ((await response.json()) as { data: { id: string } })
  }
  let numbers = 0
  const nextNumber = () => `+1213${String(5_000_000 + numbers++).padStart(7, '0')}`

  const waitFor = async (receivers: Receiver[], expected: number) => {
    const deadline = Date.now() + 300_000
    while (receivers.some((one) => one.arrivals < expected) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const percentile = (values: number[], fraction: number) => {
    const sorted = [...values].sort((a, b) => a - b)
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN
  }
  const lines: string[] = []
  const rates: Record<string, number> = {}

  const phase = async (name: string, healthyCount: number, withStuck: boolean) => {
    const healthy = await Promise.all(Array.from({ length: healthyCount }, () => receiver()))
    const stuck = withStuck ? [await receiver(true)] : []
    servers.push(...[...healthy, ...stuck].map((one) => one.server))
    const ids: string[] = []
    for (const one of [...stuck, ...healthy]) {
      const answer = await call('POST', '/webhooks', JSON.stringify({ url: one.url, eventTypes: ['contact-created'] }))
      ids.push(answer!.data.id)
    }

    const csv = `mobile,country,firstName\n${Array.from({ length: burst }, (_, index) => `${nextNumber()},US,Burst${index}\n`).join('')}`
    const started = Date.now()
    await call('POST', '/contacts', csv, 'text/csv')
    await waitFor(healthy, burst)
    const lastArrival = Math.max(...healthy.map((one) => one.lastArrival))
    const deliveries = healthy.reduce((sum, one) => sum + one.arrivals, 0)
    const perSecond = deliveries / ((lastArrival - started) / 1000)
    rates[name] = perSecond
    const burstDelays = healthy.flatMap((one) => one.delaysMs)

    for (const one of healthy) one.delaysMs.length = 0
    // Paced, not as fast as possible: the delay measured is the pipeline's, not a queue's behind it.
    const streamStarted = performance.now()
    const changes: Promise<unknown>[] = []
    for (let index = 0; index < steady; index++) {
      const due = streamStarted + (index * 1000) / rate
      if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()))
      changes.push(call('POST', '/contacts', JSON.stringify({ mobile: { number: nextNumber(), country: 'US' } })))
    }
    await Promise.all(changes)
    await waitFor(healthy, burst + steady)
    const streamSeconds = (performance.now() - streamStarted) / 1000
    const delays = healthy.flatMap((one) => one.delaysMs)
    lines.push(
      `${name}: burst of ${burst.toLocaleString('en')} events -> ${deliveries.toLocaleString('en')} deliveries in ` +
        `${((lastArrival - started) / 1000).toFixed(1)} s = ${perSecond.toFixed(0)} deliveries/s ` +
        `(${(perSecond / healthyCount).toFixed(0)} per subscription/s; last event's delay ${percentile(burstDelays, 1).toFixed(0)} ms); ` +
        `steady ${steady} changes at ${(steady / streamSeconds).toFixed(0)}/s: delay p50 ${percentile(delays, 0.5).toFixed(0)} ms, ` +
        `p99 ${percentile(delays, 0.99).toFixed(0)} ms` +
        (withStuck ? `; the stuck receiver got ${stuck[0]!.arrivals} answers to its requests (all timed out)` : '')
    )
    for (const id of ids) await call('DELETE', `/webhooks/${id}`)
  }

  await phase('1 subscription', 1, false)
  await phase('10 subscriptions', 10, false)
  await phase('10 healthy + 1 timing out', 10, true)
  process.stdout.write(
    `${lines.join('\n')}\n` +
      `ratio 10 subscriptions / 1: ${(rates['10 subscriptions']! / rates['1 subscription']!).toFixed(2)}x deliveries/s; ` +
      `healthy with a stuck receiver / without: ${(rates['10 healthy + 1 timing out']! / rates['10 subscriptions']!).toFixed(2)}; ` +
      `server peak RSS ${parley.peakRssMb().toFixed(0)} MB\n`
  )
} finally {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
  await parley?.stop()
  await database.cleanup()
}
