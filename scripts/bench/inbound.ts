// npm run bench -- inbound [--messages 20000] [--contacts 1000] [--concurrency 32]
// Inbound messages per second through POST …/sandbox/inbound: each finds the sender, finds or
// creates the contact, opens or reuses the conversation, stores the message and its event.
// Ceilings, in the same run and at the same concurrency, from a bare Fastify server: one indexed
// point query of those contacts per request, and one committed insert of the request's body per
// request (the least an inbound callback acknowledged after a durable write can cost).
import { Pool } from 'undici'
import { shareOf, startBareServer } from './ceilings.ts'
import { drive, freshDatabase, load, option, startParley, type LoadResult, type Parley } from './harness.ts'

const total = option('messages', 20_000)
const contacts = option('contacts', 1000)
const concurrency = option('concurrency', 32)
const senderNumber = '+12125550000'

// Numbers ending 1000 and up: never a keyword test number, and every contact writes many times.
const inbound = (index: number) => ({
  from: `+1213555${String(1000 + (index % contacts)).padStart(4, '0')}`,
  to: senderNumber,
  message: `Reply number ${index}`
})

/** `total` POSTs of `body(index)` to `path` over `concurrency` keep-alive connections. */
async function postEach(
  origin: string,
  path: string,
  headers: Record<string, string>,
  body: (index: number) => unknown,
  count: number
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency })
  const result = await drive(count, concurrency, async (index) => {
    const response = await pool.request({
      origin,
      path,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body(index))
    })
    await response.body.dump()
    return response.statusCode < 300
  })
  await pool.close()
  return result
}

const describe = (result: LoadResult) =>
  `${result.perSecond.toFixed(0)}/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`

const database = await freshDatabase()
let parley: Parley | undefined
try {
  parley = await startParley(database.url)
  const account = `/v1/accounts/${parley.accountId}`
  const sender = await postEach(
    parley.baseUrl,
    `${account}/senders`,
    parley.headers,
    () => ({
      number: senderNumber,
      status: 'active'
    }),
    1
  )
  if (sender.failures) throw new Error('could not create the sender')

  const result = await postEach(parley.baseUrl, `${account}/sandbox/inbound`, parley.headers, inbound, total)
  const bare = await startBareServer(database.url, parley.accountId, '+1213555', 1000)
  const points = Array.from({ length: contacts }, (_, i) => `/point/${i}`)
  const pointCeiling = await load(bare.origin, points, {}, total, concurrency)
  const storeCeiling = await postEach(bare.origin, '/store', {}, inbound, total).finally(() => bare.stop())
  process.stdout.write(
    `${total.toLocaleString('en')} inbound messages from ${contacts.toLocaleString('en')} contacts, ${concurrency} at a time: ` +
      `${describe(result)}, ${result.failures} failures; server peak RSS ${parley.peakRssMb().toFixed(0)} MB\n` +
      `  ceiling: bare Fastify, one indexed point query of those contacts: ${describe(pointCeiling)}; Parley ${shareOf(result.perSecond, pointCeiling.perSecond)}\n` +
      `  ceiling: bare Fastify, one committed insert of each message's body: ${describe(storeCeiling)}; Parley ${shareOf(result.perSecond, storeCeiling.perSecond)}\n`
  )
} finally {
  await parley?.stop()
  await database.cleanup()
}
