// npm run bench -- idle [--seconds 15]
// The server's resident set when idle: started as `npm start` starts it on an already migrated
// database, then left alone. Ceiling, in the same run: the bare Fastify + pg server of the read
// benchmarks, idle for as long, so the figure is Parley's own weight above Node, Fastify and pg.
import { readFileSync } from 'node:fs'
import { startBareServer } from './ceilings.ts'
import { BENCH_ACCOUNT, freshDatabase, option, startParley } from './harness.ts'

const seconds = option('seconds', 15)

const residentMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const pause = () => new Promise((resolve) => setTimeout(resolve, seconds * 1000))

const database = await freshDatabase()
try {
  // The first start runs every migration; the measured start finds them done, as a restart does.
  await (await startParley(database.url)).stop()
  const parley = await startParley(database.url)
  await pause()
  const parleyMb = residentMb(parley.process.pid!)
  await parley.stop()

  const bare = await startBareServer(database.url, BENCH_ACCOUNT)
  await pause()
  const bareMb = residentMb(bare.pid)
  await bare.stop()
  process.stdout.write(
    `idle server after ${seconds} s: ${parleyMb.toFixed(0)} MB RSS\n` +
      `  ceiling: bare Fastify + pg, idle as long: ${bareMb.toFixed(0)} MB; Parley ${(parleyMb / bareMb).toFixed(1)}x its weight\n`
  )
} finally {
  await database.cleanup()
}
