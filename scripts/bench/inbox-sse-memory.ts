// npm run bench -- inbox-sse-memory [--streams 500] [--events 900]
// Memory per open live inbox stream: the server's resident set grown per stream, over `streams` idle
// streams (read as they come, nothing happening), then in a fresh server over `streams` streams that
// send Last-Event-ID: 0 with `events` events behind them and never read. Then how long GET /health
// takes while those are held. 900 events stay below the 1,000 one connection replays
// (PARLEY_SSE_CLIENT_BUFFER), so the replaying streams stay open rather than end for a reconnection.
// Beside the resident set, which keeps the allocator's high-water mark, what the streams hold: the
// JavaScript heap and external memory after a full collection, asked of the server's inspector.
// Ceiling, in the same run: the bare Fastify server holding as many open event-stream responses, the
// least an open connection costs in Node and Fastify.
import http from 'node:http'
import net from 'node:net'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { startBareServer } from './ceilings.ts'
import { accountApi, BENCH_ACCOUNT, drive, freePort, freshDatabase, option, startParley } from './harness.ts'

const streams = option('streams', 500)
const events = option('events', 900)
const senderNumber = '+12125550000'
// The benchmark measures what a stream costs, not the cap on how many one credential may open.
const uncapped = { PARLEY_SSE_MAX_STREAMS_PER_CREDENTIAL: '100000', PARLEY_SSE_MAX_STREAMS_PER_USER: '100000' }

const residentMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Heap used plus external memory after a full collection, in MB, through the inspector on `port`. */
async function retainedMb(port: number): Promise<number> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
    webSocketDebuggerUrl: string
  }>
  const socket = new WebSocket(target!.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    socket.onopen = resolve
    socket.onerror = reject
  })
  let id = 0
  const call = (method: string, params: object = {}) =>
    new Promise<{ result?: { result?: { value?: string } } }>((resolve) => {
      const mine = ++id
      socket.addEventListener('message', function answer(message) {
        const data = JSON.parse(String(message.data)) as { id?: number; result?: { result?: { value?: string } } }
        if (data.id !== mine) return
        socket.removeEventListener('message', answer)
        resolve(data)
      })
      socket.send(JSON.stringify({ id: mine, method, params }))
    })
  try {
    await call('HeapProfiler.collectGarbage')
    const answer = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())' })
    const usage = JSON.parse(answer.result!.result!.value!) as { heapUsed: number; external: number }
    return (usage.heapUsed + usage.external) / 1024 / 1024
  } finally {
    socket.close()
  }
}

/** The resident set once it has stopped growing (no more than 1 MB over a second), or after 30 s. */
async function settledMb(pid: number): Promise<number> {
  let last = residentMb(pid)
  for (let waited = 0; waited < 30; waited++) {
    await sleep(1000)
    const now = residentMb(pid)
    if (now - last < 1) return now
    last = now
  }
  return last
}

/** A stream read as it comes: a browser tab with the inbox open. */
function readingStream(url: string, headers: Record<string, string>): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { headers: { ...headers, accept: 'text/event-stream' }, agent: false },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream answered ${response.statusCode}`))
        response.resume()
        resolve(request)
      }
    )
    request.on('error', reject)
  })
}

/** A stream that asks for everything since the start, checks its status line, then never reads again. */
function stalledStream(url: URL, headers: Record<string, string>): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const lines = Object.entries({ ...headers, accept: 'text/event-stream', 'last-event-id': '0' })
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`
      )
    })
    socket.once('data', (chunk) => {
      socket.pause()
      const status = chunk.toString('latin1', 0, 12)
      if (status === 'HTTP/1.1 200') resolve(socket)
      else reject(new Error(`stream answered ${status}`))
    })
    socket.on('error', reject)
  })
}

async function inBatches<T>(count: number, open: () => Promise<T>): Promise<T[]> {
  const opened: T[] = []
  for (let batch = 0; batch < count; batch += 50)
    opened.push(...(await Promise.all(Array.from({ length: Math.min(50, count - batch) }, open))))
  return opened
}

const database = await freshDatabase()
const toClose: Array<{ destroy: () => void }> = []
try {
  // The first server creates the account and the events every replaying stream is sent. Its token
  // serves the later servers too: a restart with the bootstrap variables keeps the first secret.
  const seeding = await startParley(database.url, uncapped)
  const { baseUrl, accountId, headers } = seeding
  await accountApi(seeding, 'POST', '/senders', { number: senderNumber, status: 'active' })
  const seeded = await drive(events, 8, async (index) => {
    const response = await fetch(`${baseUrl}/v1/accounts/${accountId}/sandbox/inbound`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        from: `+1213555${String(1000 + (index % 500)).padStart(4, '0')}`,
        to: senderNumber,
        message: `Message ${index}: is the order on its way? I was told it would arrive today, and nothing came yet.`
      })
    })
    await response.arrayBuffer()
    return response.ok
  })
  if (seeded.failures > 0) throw new Error(`${seeded.failures} inbound messages failed`)
  await seeding.stop()

  const measure = async (label: string, open: (parley: Awaited<ReturnType<typeof startParley>>) => Promise<void>) => {
    const inspector = await freePort()
    const parley = await startParley(database.url, { ...uncapped, NODE_OPTIONS: `--inspect=127.0.0.1:${inspector}` })
    try {
      // Collected first, so the resident set before is not inflated by start-up garbage.
      const heldBefore = await retainedMb(inspector)
      const before = await settledMb(parley.process.pid!)
      const started = performance.now()
      await open(parley)
      const openSeconds = (performance.now() - started) / 1000
      const after = await settledMb(parley.process.pid!)
      const heldAfter = await retainedMb(inspector)
      const healthStarted = performance.now()
      const health = await fetch(`${parley.baseUrl}/health`)
      await health.arrayBuffer()
      const healthMs = performance.now() - healthStarted
      return {
        label,
        before,
        after,
        perStreamKb: ((after - before) * 1024) / streams,
        heldPerStreamKb: ((heldAfter - heldBefore) * 1024) / streams,
        openSeconds,
        healthMs
      }
    } finally {
      for (const stream of toClose.splice(0)) stream.destroy()
      await parley.stop()
    }
  }

  const streamUrl = (parley: { baseUrl: string; accountId: string }) =>
    `${parley.baseUrl}/v1/accounts/${parley.accountId}/inbox/events`
  const idle = await measure('idle', async (parley) => {
    toClose.push(...(await inBatches(streams, () => readingStream(streamUrl(parley), headers))))
  })
  const replaying = await measure('replaying from Last-Event-ID 0, never read', async (parley) => {
    toClose.push(...(await inBatches(streams, () => stalledStream(new URL(streamUrl(parley)), headers))))
  })

  const bare = await startBareServer(database.url, BENCH_ACCOUNT)
  let bareKb: number
  try {
    const before = await settledMb(bare.pid)
    toClose.push(...(await inBatches(streams, () => readingStream(`${bare.origin}/hold`, {}))))
    bareKb = (((await settledMb(bare.pid)) - before) * 1024) / streams
  } finally {
    for (const stream of toClose.splice(0)) stream.destroy()
    await bare.stop()
  }

  for (const run of [idle, replaying]) {
    process.stdout.write(
      `${streams} streams ${run.label} (${events} events stored): RSS ${run.before.toFixed(0)} → ${run.after.toFixed(0)} MB, ` +
        `${run.perStreamKb.toFixed(0)} KB per stream (held after a full GC: ${run.heldPerStreamKb.toFixed(0)} KB); opened in ${run.openSeconds.toFixed(1)} s; GET /health then took ${run.healthMs.toFixed(0)} ms\n`
    )
  }
  process.stdout.write(
    `  ceiling: bare Fastify holding ${streams} open event-stream responses: ${bareKb.toFixed(0)} KB per stream; ` +
      `Parley idle ${(idle.perStreamKb / bareKb).toFixed(1)}x, replaying ${(replaying.perStreamKb / bareKb).toFixed(1)}x\n`
  )
} finally {
  for (const stream of toClose) stream.destroy()
  await database.cleanup()
}
