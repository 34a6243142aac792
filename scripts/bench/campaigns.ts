// npm run bench -- campaigns [--contacts 100000]
// An account with N contacts (bulk SQL insert) and a dynamic list matching all of them. One campaign
// run to the list (POST …/campaigns/{id}/execute), then a plain POST …/messages to the same list with
// another text (the duplicate guard would refuse the same one), from a sandbox sender with no
// throughput cap. Prints, for each, the time to answer and the rate from the request to every
// message final in the sandbox, and their ratio. The server runs its own workers.
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import {
  accountApi,
  BENCH_ACCOUNT,
  freshDatabase,
  option,
  seedTaggedContacts,
  startParley,
  type Parley
} from './harness.ts'

const contacts = option('contacts', 100_000)

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
  await accountApi(parley, 'POST', '/senders', { number: '+12125550000', status: 'active' })
  await seedTaggedContacts(client, contacts)
  const list = await accountApi(parley, 'POST', '/lists', { name: 'Everyone', filter: { tags: ['bench'] } })
  process.stdout.write(
    `${contacts.toLocaleString('en')} contacts in a dynamic list (counts ${JSON.stringify(list.counts)})\n`
  )

  const campaign = await accountApi(parley, 'POST', '/campaigns', {
    name: 'Bench',
    trigger: { code: 'M' },
    filters: { list: list.id },
    template: 'Hi {{{firstName}}}, the campaign sale starts now. Reply STOP to opt out.'
  })
  const viaCampaign = await measure(client, 'campaign execute', async () =>
    String((await accountApi(parley!, 'POST', `/campaigns/${String(campaign.id)}/execute`)).id)
  )
  const viaSend = await measure(client, 'POST /messages', async () =>
    String(
      (
        await accountApi(parley!, 'POST', '/messages', {
          filters: { list: list.id },
          template: 'Hi {{{firstName}}}, the plain sale starts now. Reply STOP to opt out.'
        })
      ).jobId
    )
  )
  const lastJob = (await accountApi(parley, 'GET', `/campaigns/${String(campaign.id)}`)).lastJob
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
