// npm run bench -- contacts-import [--rows 1000000]
// Generates a CSV of contacts with two custom attributes and tags, imports it through the HTTP API
// into a fresh Parley (child process, own database), then imports it again (every row an update).
// Ceiling, in the same run: a plain COPY of the same CSV into an unindexed table of text columns.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { once } from 'node:events'
import { request } from 'undici'
import { copyCeiling, shareOf } from './ceilings.ts'
import { accountApi, freshDatabase, option, startParley, type Parley } from './harness.ts'

const rows = option('rows', 1_000_000)

const csvColumns = ['mobile', 'country', 'firstName', 'lastName', 'email', 'tags', 'jobTitle', 'score'] as const

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file)
  const titles = ['mover', 'clerk', 'driver', 'nurse', 'teacher']
  out.write(`${csvColumns.join(',')}\n`)
  for (let i = 0; i < rows; i++) {
    // +1 212 NXX XXXX: 10-digit NANP numbers, unique per row for up to 8,000,000 rows.
    const exchange = 200 + Math.floor(i / 10_000)
    const line = String(i % 10_000).padStart(4, '0')
    const chunk = `+1212${exchange}${line},US,First${i},Last${i % 1000},person${i}@example.com,imported|batch${i % 10},${titles[i % 5]},${i % 100}\n`
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

async function importOnce(parley: Parley, file: string): Promise<{ seconds: number; result: Record<string, unknown> }> {
  const started = performance.now()
  const response = await request(`${parley.baseUrl}/v1/accounts/${parley.accountId}/contacts`, {
    method: 'POST',
    headers: { ...parley.headers, 'content-type': 'text/csv' },
    body: createReadStream(file)
  })
  const accepted = (await response.body.json()) as { data: { jobId: string } }
  if (response.statusCode !== 202)
    throw new Error(`expected 202, got ${response.statusCode}: ${JSON.stringify(accepted)}`)
  const uploadedSeconds = (performance.now() - started) / 1000
  for (;;) {
    const data = await accountApi(parley, 'GET', `/contacts/imports/${accepted.data.jobId}`)
    if (data.status === 'completed' || data.status === 'failed') {
      const seconds = (performance.now() - started) / 1000
      process.stdout.write(`  upload accepted after ${uploadedSeconds.toFixed(1)} s\n`)
      return { seconds, result: data }
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'))
const file = path.join(dir, 'contacts.csv')
const database = await freshDatabase()
let parley: Parley | undefined
try {
  const generated = performance.now()
  await writeCsv(file)
  process.stdout.write(
    `generated ${rows.toLocaleString('en')} rows, ${(statSync(file).size / 1048576).toFixed(1)} MB, in ${((performance.now() - generated) / 1000).toFixed(1)} s\n`
  )
  parley = await startParley(database.url)
  await accountApi(parley, 'POST', '/attributes/contacts', { name: 'jobTitle', dataType: 'text' })
  await accountApi(parley, 'POST', '/attributes/contacts', { name: 'score', dataType: 'number' })

  for (const label of ['first import (all inserts)', 're-import (all updates)']) {
    const ceiling = await copyCeiling(database.url, file, csvColumns)
    const { seconds, result } = await importOnce(parley, file)
    process.stdout.write(
      `  ceiling: plain COPY of the same CSV into a bare table: ${ceiling.toFixed(0)} rows/s\n` +
        `${label}: ${(rows / seconds).toFixed(0)} rows/s = ${shareOf(rows / seconds, ceiling)}, ${seconds.toFixed(1)} s total, ` +
        `inserted ${String(result.inserted)}, updated ${String(result.updated)}, failed ${String(result.failed)}, status ${String(result.status)}; ` +
        `server peak RSS so far ${parley.peakRssMb().toFixed(0)} MB\n`
    )
  }
} finally {
  await parley?.stop()
  await database.cleanup()
  rmSync(dir, { recursive: true, force: true })
}
