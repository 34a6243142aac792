// npm run bench -- inbound [--messages 20000] [--contacts 1000] [--concurrency 32]
// Inbound messages per second through POST …/sandbox/inbound: each finds the sender, finds or
// creates the contact, opens or reuses the conversation, stores the message and its event.
// Ceiling, in the same run: a bare Fastify route doing one indexed point query of those contacts.
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import { shareOf, startBareServer } from './ceilings.ts'
import { freshDatabase, load, option, startParley, type Parley } from './harness.ts'

const total = option('messages', 20_000)
const contacts = option('contacts', 1000)
const concurrency = option('concurrency', 32)
const senderNumber = '+12125550000'

const database = await freshDatabase()
let parley: Parley | undefined
try {
  parley = await startParley(database.url)
  const origin = parley.baseUrl
  const pool = new Pool(origin, { connections: concurrency })
  const post = async (path: string, body: unknown) => {
    const response = await pool.request({
      origin,
      path: `/v1/accounts/${parley!.accountId}${path}`,
      method: 'POST',
      headers: { ...parley!.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    await response.body.dump()
    return response.statusCode
  }
  if ((await post('/senders', { number: senderNumber, status: 'active' })) !== 201)
    throw new Error('could not create the sender')

  const latencies: number[] = []
  let next = 0
  let failures = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++
        // Numbers ending 1000 and up: never a keyword test number, and every contact writes many times.
        const from = `+1213555${String(1000 + (index % contacts)).padStart(4, '0')}`
        const begin = performance.now()
        if ((await post('/sandbox/inbound', { from, to: senderNumber, message: `Reply number ${index}` })) !== 200)
          failures++
        latencies.push(performance.now() - begin)
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  await pool.close()
  const bare = await startBareServer(database.url, parley.accountId, '+1213555', 1000)
  const ceiling = await load(
    bare.origin,
    Array.from({ length: contacts }, (_, i) => `/point/${i}`),
    {},
    total,
    concurrency
  ).finally(() => bare.stop())
  latencies.sort((a, b) => a - b)
  const at = (fraction: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))]!.toFixed(1)
  process.stdout.write(
    `${total.toLocaleString('en')} inbound messages from ${contacts.toLocaleString('en')} contacts, ${concurrency} at a time: ` +
      `${(total / seconds).toFixed(0)} messages/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ${failures} failures; server peak RSS ${parley.peakRssMb().toFixed(0)} MB\n` +
      `  ceiling: bare Fastify, one indexed point query of those contacts: ${ceiling.perSecond.toFixed(0)} req/s (p99 ${ceiling.p99Ms.toFixed(1)} ms); ` +
      `Parley ${shareOf(total / seconds, ceiling.perSecond)}\n`
  )
} finally {
  await parley?.stop()
  await database.cleanup()
}
