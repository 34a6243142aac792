// npm run bench -- file-downloads [--files 20] [--mib 5] [--downloads 200] [--concurrency 50] [--stalled 100]
// Shared-file downloads (GET /files/{token}), anonymous as carriers fetch them. `files` files of
// `mib` MiB are written straight into the database (so no upload has raised the server's memory),
// then two phases, each with the server's resident memory sampled every 20 ms:
//   - `downloads` downloads, `concurrency` at a time, each read as fast as the client can;
//   - `stalled` downloads opened at once whose clients read nothing for two seconds (slow readers).
// Prints the throughput, latencies, the server's CPU a download, and its RSS above idle in each phase.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import pg from 'pg'
import { Pool } from 'undici'
import { BENCH_ACCOUNT, cpuMs, drive, freshDatabase, option, startParley, type Parley } from './harness.ts'

const files = option('files', 20)
const mib = option('mib', 5)
const downloads = option('downloads', 200)
const concurrency = option('concurrency', 50)
const stalled = option('stalled', 100)

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

/** The highest RSS seen while `work` runs. */
async function peakRssDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peakMb = rssMb(pid)
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 20)
  try {
    const result = await work()
    return { result, peakMb: Math.max(peakMb, rssMb(pid)) }
  } finally {
    clearInterval(sampler)
  }
}

const database = await freshDatabase()
let parley: Parley | undefined
const sockets: http.ClientRequest[] = []
try {
  parley = await startParley(database.url, {
    PARLEY_SHARED_FILE_RATE_LIMIT_MAX: '1000000000',
    PARLEY_ANONYMOUS_RATE_LIMIT_MAX: '1000000000'
  })
  const pid = parley.process.pid!
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  const tokens = Array.from({ length: files }, () => randomBytes(32).toString('base64url'))
  const size = mib * 1024 * 1024
  for (const token of tokens) {
    // A PNG signature, then random (incompressible) bytes, as a photo would be.
    await client.query(
      `INSERT INTO shared_files (token, account_id, content_type, bytes, size, expires_at, created_by)
       VALUES ($1, $2, 'image/png', $3, $4, now() + interval '1 day', '{"id": "bench", "source": "system"}')`,
      [token, BENCH_ACCOUNT, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(size - 8)]), size]
    )
  }
  await client.end()
  // Settle: the server has served nothing yet.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const idleMb = rssMb(pid)

  const pool = new Pool(parley.baseUrl, { connections: concurrency, pipelining: 1 })
  let bytes = 0
  const cpuBefore = cpuMs(pid)
  const started = performance.now()
  const fast = await peakRssDuring(pid, () =>
    drive(downloads, concurrency, async (index) => {
      const response = await pool.request({ path: `/files/${tokens[index % files]}`, method: 'GET' })
      for await (const chunk of response.body) bytes += (chunk as Buffer).length
      return response.statusCode === 200
    })
  )
  const seconds = (performance.now() - started) / 1000
  const cpuPerDownload = (cpuMs(pid) - cpuBefore) / downloads
  await pool.close()
  if (bytes !== downloads * size) throw new Error(`received ${bytes} bytes, expected ${downloads * size}`)

  await new Promise((resolve) => setTimeout(resolve, 1000))
  const beforeStalledMb = rssMb(pid)
  const slow = await peakRssDuring(pid, async () => {
    await Promise.all(
      Array.from(
        { length: stalled },
        (_, index) =>
          new Promise<void>((resolve, reject) => {
            const request = http.get(
              `${parley!.baseUrl}/files/${tokens[index % files]}`,
              { agent: false },
              (response) => {
                response.pause()
                resolve()
              }
            )
            request.on('error', reject)
            sockets.push(request)
          })
      )
    )
    await new Promise((resolve) => setTimeout(resolve, 2000))
  })

  process.stdout.write(
    `${files} files of ${mib} MiB; server RSS idle ${idleMb.toFixed(0)} MB\n` +
      `${downloads} downloads, ${concurrency} at a time: ${(bytes / 1024 / 1024 / seconds).toFixed(0)} MiB/s, ` +
      `p50 ${fast.result.p50Ms.toFixed(0)} ms, p99 ${fast.result.p99Ms.toFixed(0)} ms, ${fast.result.failures} failures; ` +
      `server CPU ${cpuPerDownload.toFixed(1)} ms a download; ` +
      `server RSS peak ${fast.peakMb.toFixed(0)} MB (+${(fast.peakMb - idleMb).toFixed(0)} MB over idle)\n` +
      `${stalled} downloads whose clients read nothing for 2 s: server RSS peak ${slow.peakMb.toFixed(0)} MB ` +
      `(+${(slow.peakMb - beforeStalledMb).toFixed(0)} MB, ${((slow.peakMb - beforeStalledMb) / stalled).toFixed(2)} MB a download)\n`
  )
} finally {
  for (const socket of sockets) socket.destroy()
  await parley?.stop()
  await database.cleanup()
}
