import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { CarrierAdapter, CarrierEvent, Submission, SubmitResult } from '../../src/carriers/carrier.ts'
import { createSmppCarrier, type SmppCarrier, type SmppTiming } from '../../src/carriers/smpp/smpp-carrier.ts'
import type { SmppSettings } from '../../src/carriers/smpp/smpp.settings.ts'

// The Perl test SMSC (test/carriers/smsc/smsc.pl, on Debian's Net::SMPP) as a child process: its
// JSON event lines collected, commands written to its stdin, killed and restarted on the same port.

const script = fileURLToPath(new URL('../carriers/smsc/smsc.pl', import.meta.url))

export interface SmscEvent {
  event: string
  at: number
  [field: string]: unknown
}

export interface SmscOptions {
  systemId?: string
  password?: string
  idFormat?: 'decimal' | 'hex'
  receiptIdFormat?: 'decimal' | 'hex'
  receiptTlv?: boolean
  receiptDelayMs?: number
  receiptBeforeResp?: boolean
  throttle?: number
  /** The first message id (default 1000). */
  startId?: number
}

export interface Smsc {
  port: number
  /** Every event of every run of the SMSC, in order. */
  events: SmscEvent[]
  of: (kind: string) => SmscEvent[]
  /** Waits until the SMSC has logged `count` events of the kind (its log trails its responses), and answers them. */
  logged: (kind: string, count: number) => Promise<SmscEvent[]>
  waitFor: (predicate: (events: SmscEvent[]) => boolean, timeoutMs?: number) => Promise<void>
  command: (command: Record<string, unknown>) => void
  kill: () => Promise<void>
  restart: () => Promise<void>
}

interface Teardown {
  teardown: (fn: () => unknown) => void
}

export async function startSmsc(t: Teardown, options: SmscOptions = {}): Promise<Smsc> {
  const folder = mkdtempSync(path.join(tmpdir(), 'parley-smsc-'))
  const args = [
    script,
    ...['--system-id', options.systemId ?? 'parley', '--password', options.password ?? 'secret'],
    ...['--id-format', options.idFormat ?? 'decimal', '--receipt-id-format', options.receiptIdFormat ?? ''],
    ...['--receipt-tlv', options.receiptTlv ? '1' : '0', '--receipt-delay-ms', String(options.receiptDelayMs ?? 20)],
    ...['--receipt-before-resp', options.receiptBeforeResp ? '1' : '0', '--throttle', String(options.throttle ?? 0)],
    ...['--state', path.join(folder, 'journal'), '--start-id', String(options.startId ?? 1000)]
  ]
  const events: SmscEvent[] = []
  let child: ChildProcess | undefined
  let port = 0

  async function run(): Promise<void> {
    const current = spawn('perl', [...args, '--port', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] })
    child = current
    const listening = new Promise<number>((resolve, reject) => {
      current.once('exit', (code) => reject(new Error(`The test SMSC exited (${code}) before listening`)))
      createInterface({ input: current.stdout! }).on('line', (line) => {
        const event = JSON.parse(line) as SmscEvent
        events.push(event)
        if (event.event === 'listening') resolve(Number(event.port))
      })
    })
    port = await listening
  }

  async function kill() {
    const current = child
    if (!current || current.exitCode !== null || current.signalCode !== null) return
    const exited = new Promise((resolve) => current.once('exit', resolve))
    current.kill('SIGKILL')
    await exited
  }

  await run()
  const smsc: Smsc = {
    get port() {
      return port
    },
    events,
    of: (kind) => events.filter((event) => event.event === kind),
    async logged(kind, count) {
      await smsc.waitFor(() => smsc.of(kind).length >= count)
      return smsc.of(kind)
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error('The test SMSC did not get there in time')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    command: (command) => child?.stdin?.write(`${JSON.stringify(command)}\n`),
    kill,
    restart: run
  }
  t.teardown(async () => {
    await kill()
    rmSync(folder, { recursive: true, force: true })
  })
  return smsc
}

/** Fast timers for tests: quick reconnects and short holds. */
export const TEST_TIMING: Partial<SmppTiming> = {
  enquireLinkMs: 500,
  responseTimeoutMs: 3_000,
  reconnectMinMs: 100,
  reconnectMaxMs: 500,
  bindWaitMs: 3_000,
  receiptHoldMs: 1_000,
  inboundPartsTimeoutMs: 2_000,
  throttlePauseMinMs: 100,
  throttlePauseMaxMs: 400
}

export interface StartedCarrier {
  carrier: SmppCarrier
  events: CarrierEvent[]
}

/** An SMPP adapter bound to the test SMSC, its events collected, closed when the test ends. */
export async function startSmppCarrier(
  t: Teardown,
  smsc: Smsc,
  settings: Partial<SmppSettings> = {},
  timing: Partial<SmppTiming> = {}
): Promise<StartedCarrier> {
  const carrier = createSmppCarrier(
    'smpp-test',
    { type: 'smpp', host: '127.0.0.1', port: smsc.port, systemId: 'parley', password: 'secret', ...settings },
    { timing: { ...TEST_TIMING, ...timing } }
  )
  const events: CarrierEvent[] = []
  t.teardown(() => carrier.close())
  await carrier.start(async (event) => {
    events.push(event)
  })
  return { carrier, events }
}

export async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

let sequence = 0

/** A submission with a fresh idempotency key. */
export function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    idempotencyKey: `smpp-${++sequence}`,
    accountId: 'account-1',
    from: '+14155550100',
    to: '+14155550123',
    text: 'Hello from Parley',
    type: 'SMS',
    media: [],
    ...overrides
  }
}

/**
 * What the dispatch pipeline does with an adapter's answers, in small: a retryable answer or a throw
 * (an unknown outcome) is tried again with the same idempotency key until it settles.
 */
export async function sendUntilSettled(
  carrier: CarrierAdapter,
  submissions: readonly Submission[],
  concurrency = 20
): Promise<{ results: SubmitResult[]; retried: number }> {
  const results: SubmitResult[] = []
  let retried = 0
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, submissions.length) }, async () => {
      while (next < submissions.length) {
        const index = next++
        for (;;) {
          const result = await carrier.send(submissions[index]!).catch(() => undefined)
          if (result && (result.ok || result.failure === 'permanent')) {
            results[index] = result
            break
          }
          retried++
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      }
    })
  )
  return { results, retried }
}
