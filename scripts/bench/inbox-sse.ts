// npm run bench -- inbox-sse [--clients 1000] [--messages 200] [--concurrency 16]
// Live inbox fan-out: `clients` Server-Sent Events streams on GET …/inbox/events, then a burst of
// inbound messages through POST …/sandbox/inbound; for every message at every client, the delay
// from just before its inbound request to its message-received event at that client. The clients
// and the load run in this one process, so their own work is part of the delay measured.
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { accountApi, drive, freshDatabase, option, startParley, type Parley } from './harness.ts'

const clients = option('clients', 1000)
const total = option('messages', 200)
const concurrency = option('concurrency', 16)
const senderNumber = '+12125550000'
const marker = '"message":"bench-'

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const database = await freshDatabase()
let parley: Parley | undefined
const streams: http.ClientRequest[] = []
try {
  parley = await startParley(database.url)
  const { baseUrl, accountId, headers } = parley
  await accountApi(parley, 'POST', '/senders', { number: senderNumber, status: 'active' })

  const sentAt = new Map<number, number>()
  const delays: number[] = []
  let received = 0
  let allReceived: () => void = () => {}
  const done = new Promise<void>((resolve) => (allReceived = resolve))
  if (clients === 0) allReceived()

  const connectOne = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.get(
        `${baseUrl}/v1/accounts/${accountId}/inbox/events`,
        { headers: { ...headers, accept: 'text/event-stream' }, agent: false },
        (response) => {
          if (response.statusCode !== 200) reject(new Error(`stream answered ${response.statusCode}`))
          response.setEncoding('utf8')
          let buffer = ''
          response.on('data', (chunk: string) => {
            buffer += chunk
            let end: number
            while ((end = buffer.indexOf('\n\n')) !== -1) {
              const frame = buffer.slice(0, end)
              buffer = buffer.slice(end + 2)
              if (!frame.includes('event: message-received')) continue
              const start = frame.indexOf(marker)
              const index = Number.parseInt(frame.slice(start + marker.length), 10)
              delays.push(performance.now() - sentAt.get(index)!)
              if (++received === clients * total) allReceived()
            }
          })
          resolve()
        }
      )
      request.on('error', reject)
      streams.push(request)
    })
  const connectStarted = performance.now()
  for (let batch = 0; batch < clients; batch += 100)
    await Promise.all(Array.from({ length: Math.min(100, clients - batch) }, connectOne))
  const connectSeconds = (performance.now() - connectStarted) / 1000

  const serverCpuBefore = cpuSeconds(parley.process.pid!)
  const ownCpuBefore = process.cpuUsage()
  const load = await drive(total, concurrency, async (index) => {
    sentAt.set(index, performance.now())
    const response = await fetch(`${baseUrl}/v1/accounts/${accountId}/sandbox/inbound`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        from: `+1213555${String(1000 + (index % 500)).padStart(4, '0')}`,
        to: senderNumber,
        message: `bench-${index}`
      })
    })
    await response.arrayBuffer()
    return response.status === 200
  })
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref())
  const finished = await Promise.race([done, timeout])
  const serverCpu = cpuSeconds(parley.process.pid!) - serverCpuBefore
  const ownCpu = process.cpuUsage(ownCpuBefore)

  delays.sort((a, b) => a - b)
  const at = (fraction: number) =>
    (delays[Math.min(delays.length - 1, Math.floor(delays.length * fraction))] ?? Number.NaN).toFixed(1)
  process.stdout.write(
    `${clients.toLocaleString('en')} SSE clients connected in ${connectSeconds.toFixed(1)} s; ` +
      `${total} inbound messages, ${concurrency} at a time (${load.perSecond.toFixed(0)} messages/s, ${load.failures} failures): ` +
      `${received.toLocaleString('en')} of ${(clients * total).toLocaleString('en')} events delivered${finished === 'timeout' ? ' (timed out after 60 s)' : ''}; ` +
      `inbound-to-client delay p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms; ` +
      `CPU during the burst: server ${serverCpu.toFixed(1)} s, clients and load ${((ownCpu.user + ownCpu.system) / 1e6).toFixed(1)} s; ` +
      `server peak RSS ${parley.peakRssMb().toFixed(0)} MB\n`
  )
} finally {
  for (const stream of streams) stream.destroy()
  await parley?.stop()
  await database.cleanup()
}
