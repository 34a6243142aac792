// npm run bench -- token [--requests 5000] [--concurrency 8] [--fresh 10]
// Token requests per second with the right secret, as an SDK that fetches a token before every call
// sends them, beside the cost of a secret's first check (scrypt, before the server remembers it).
import { availableParallelism, loadavg } from 'node:os'
import { Pool } from 'undici'
import { drive, freshDatabase, option, startParley, type LoadResult, type Parley } from './harness.ts'

const total = option('requests', 5000)
const concurrency = option('concurrency', 8)
const fresh = option('fresh', 10)

interface Secret {
  clientId: string
  clientSecret: string
}

const database = await freshDatabase()
let parley: Parley | undefined
let pool: Pool | undefined
try {
  parley = await startParley(database.url)
  const { baseUrl, accountId, headers } = parley
  pool = new Pool(baseUrl, { connections: concurrency })
  const post = async (path: string, body: unknown, extraHeaders: Record<string, string> = {}) => {
    const response = await pool!.request({
      origin: baseUrl,
      path,
      method: 'POST',
      headers: { ...extraHeaders, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    return { status: response.statusCode, body: (await response.body.json()) as { data?: Secret } }
  }
  const credentials: Secret[] = []
  for (let i = 0; i <= fresh; i++) {
    const created = await post(`/v1/accounts/${accountId}/credentials`, { name: `bench ${i}` }, headers)
    if (created.status !== 201 || !created.body.data)
      throw new Error(`could not create a credential: ${created.status}`)
    credentials.push(created.body.data)
  }
  const token = async ({ clientId, clientSecret }: Secret) =>
    (
      await post('/oauth2/token', {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret
      })
    ).status === 200

  // Each credential's first token request runs scrypt; the last credential's later ones do not.
  const first = await drive(fresh, 1, (index) => token(credentials[index]!))
  const again = await drive(fresh * 10, 1, () => token(credentials[fresh]!))
  const burst = await drive(total, concurrency, () => token(credentials[fresh]!))

  const figures = (result: LoadResult) =>
    `${result.perSecond.toFixed(0)} requests/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.failures} failures`
  process.stdout.write(
    `first check of a secret (scrypt), ${fresh} credentials one at a time: ${figures(first)}\n` +
      `the same secret again, ${fresh * 10} requests one at a time: ${figures(again)}\n` +
      `${total.toLocaleString('en')} token requests with the right secret, ${concurrency} at a time: ${figures(burst)}\n` +
      `(load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)\n`
  )
} finally {
  await pool?.close()
  await parley?.stop()
  await database.cleanup()
}
