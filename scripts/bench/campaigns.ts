// npm run bench -- campaigns [--contacts 100000]
// An account with N contacts (bulk SQL insert) and a dynamic list matching all of them. One campaign
// run to the list (POST …/campaigns/{id}/execute), then a plain POST …/messages to the same list with
// another text (the duplicate guard would refuse the same one), from a sandbox sender with no
// throughput cap. Prints, for each, the time to answer and the rate from the request to every
// message final in the sandbox, and their ratio. The server runs its own workers.
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { request } from 'undici'
import { BENCH_ACCOUNT, freshDatabase, option, startParley, type Parley } from './harness.ts'

const contacts = option('contacts', 100_000)

async function api(parley: Parley, method: 'GET' | 'POST', url: string, body?: unknown) {
  const response = await request(`${parley.baseUrl}/v1/accounts/${parley.accountId}${url}`, {
    method,
    headers: { ...parley.headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const json = (await response.body.json()) as { success: boolean; data: Record<string, unknown> }
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${JSON.stringify(json)}`)
  return json.data
}

interface Run {
  answeredMs: number
  finalSeconds: number
  final: number
}

/** Starts a send (whatever answers a job id), then waits until each of its messages is final. */
async function measure(client: pg.Client, label: string, start: () => Promise<string>): Promise<Run> {
  const started = performance.now()
  const jobId = await start()
  const answeredMs = performance.now() - started
  process.stdout.write(`${label}: answered in ${answeredMs.toFixed(0)} ms\n`)
  let final = 0
  let lastReport = performance.now()
  for (;;) {
    // Numbers ending 0001-0003 are sandbox test numbers (undelivered, failed, retried): final is any end state.
    final = Number(
      (
        await client.query(
          `SELECT count(*) FROM messages WHERE account_id = $1 AND job_id = $2 AND status IN ('delivered', 'undelivered', 'failed')`,
          [BENCH_ACCOUNT, jobId]
        )
      ).rows[0].count
    )
    if (final >= contacts) break
    if (performance.now() - lastReport > 5000) {
      process.stdout.write(
        `  ${final.toLocaleString('en')} final after ${((performance.now() - started) / 1000).toFixed(0)} s\n`
      )
      lastReport = performance.now()
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const finalSeconds = (performance.now() - started) / 1000
  process.stdout.write(
    `${label}: ${final.toLocaleString('en')} messages final in ${finalSeconds.toFixed(1)} s, ${(final / finalSeconds).toFixed(0)} messages/s from request to delivered\n`
  )
  return { answeredMs, finalSeconds, final }
}

const database = await freshDatabase()
let parley: Parley | undefined
const client = new pg.Client({ connectionString: database.url })
try {
  parley = await startParley(database.url, { PARLEY_SANDBOX_DELIVERY_DELAY_MS: '100' })
  await client.connect()
  await api(parley, 'POST', '/senders', { number: '+12125550000', status: 'active' })
  await client.query(
    `
    INSERT INTO contacts (id, account_id, mobile, country, first_name, tags, created_by, updated_by)
    SELECT lpad(to_hex(i), 24, '0'), $1, '+1213' || (2000000 + i)::text, 'US', 'First' || i, '[{"tag": "bench", "visible": true}]',
      '{"id": "bench", "source": "system"}', '{"id": "bench", "source": "system"}'
    FROM generate_series(1, $2::int) AS i
  `,
    [BENCH_ACCOUNT, contacts]
  )
  await client.query('ANALYZE contacts')
  const list = await api(parley, 'POST', '/lists', { name: 'Everyone', filter: { tags: ['bench'] } })
  process.stdout.write(
    `${contacts.toLocaleString('en')} contacts in a dynamic list (counts ${JSON.stringify(list.counts)})\n`
  )

  const campaign = await api(parley, 'POST', '/campaigns', {
    name: 'Bench',
    trigger: { code: 'M' },
    filters: { list: list.id },
    template: 'Hi {{{firstName}}}, the campaign sale starts now. Reply STOP to opt out.'
  })
  const viaCampaign = await measure(client, 'campaign execute', async () =>
    String((await api(parley!, 'POST', `/campaigns/${String(campaign.id)}/execute`)).id)
  )
  const viaSend = await measure(client, 'POST /messages', async () =>
    String(
      (
        await api(parley!, 'POST', '/messages', {
          filters: { list: list.id },
          template: 'Hi {{{firstName}}}, the plain sale starts now. Reply STOP to opt out.'
        })
      ).jobId
    )
  )
  const lastJob = (await api(parley, 'GET', `/campaigns/${String(campaign.id)}`)).lastJob
  process.stdout.write(`campaign lastJob ${JSON.stringify(lastJob)}\n`)
  process.stdout.write(
    `ratio campaign / plain send: answer ${(viaCampaign.answeredMs / viaSend.answeredMs).toFixed(2)}x, ` +
      `time to all final ${(viaCampaign.finalSeconds / viaSend.finalSeconds).toFixed(2)}x; server peak RSS ${parley.peakRssMb().toFixed(0)} MB\n`
  )
} finally {
  await client.end()
  await parley?.stop()
  await database.cleanup()
}
