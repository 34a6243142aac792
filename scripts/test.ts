// `npm test`: runs tap against the PostgreSQL server in DATABASE_URL, or, when it is unset, against
// one embedded PostgreSQL started for this run in a temporary folder and removed afterwards. When the
// run includes browser tests, one Chromium serves them all (test/helpers/browser.ts connects to it).
import { spawn } from 'node:child_process'
import { globSync, readFileSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { startEmbeddedPostgres, temporaryDataDir, type EmbeddedDatabase } from '../src/db/embedded.ts'
import { BROWSER_ENDPOINT_VARIABLE, launchBrowserServer } from '../test/helpers/chromium.ts'

let embedded: EmbeddedDatabase | undefined
let dataDir: string | undefined
if (!process.env.DATABASE_URL) {
  dataDir = temporaryDataDir('parley-test-')
  process.stdout.write(`DATABASE_URL is not set: starting an embedded PostgreSQL in ${dataDir}\n`)
  embedded = await startEmbeddedPostgres({ dataDir })
  process.env.DATABASE_URL = embedded.url
}

// The test files of the run: those named (files or folders), or every one.
const named = process.argv.slice(2).filter((argument) => !argument.startsWith('-'))
const testFiles = (named.length > 0 ? named : ['test']).flatMap((name) =>
  statSync(name, { throwIfNoEntry: false })?.isDirectory() ? globSync(`${name}/**/*.test.ts`) : [name]
)
const needsBrowser = testFiles.some((file) => {
  try {
    return readFileSync(file, 'utf8').includes('helpers/browser.ts')
  } catch {
    return false
  }
})
const browser = needsBrowser ? await launchBrowserServer() : undefined
if (browser) process.env[BROWSER_ENDPOINT_VARIABLE] = browser.wsEndpoint()

const tap = spawn(process.execPath, [path.resolve('node_modules/tap/dist/esm/run.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit'
})
// Stopped from outside, the run ends the way it ends by itself: tap first, then the embedded server.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => tap.kill(signal))
const code = await new Promise<number>((resolve) =>
  tap.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))
)
await browser?.close()
await embedded?.stop()
if (dataDir) rmSync(dataDir, { recursive: true, force: true })
process.exit(code)
