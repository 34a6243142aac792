import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { fuzzApi, fuzzEnv } from './run.ts'

// Every operation of the OpenAPI document, with generated malformed requests (docs/api/wire-contract.md, "Robustness").
// A new seed each run, printed, so a failure replays with `npm run fuzz -- --seed S --requests N`.
const seed = Number(process.env.PARLEY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const requests = Number(process.env.PARLEY_FUZZ_REQUESTS ?? 1500)

t.test('no request breaks the API', async (t) => {
  t.comment(`fuzz seed ${seed}, ${requests} requests; replay: npm run fuzz -- --seed ${seed} --requests ${requests}`)
  const app = await buildTestApp(t, fuzzEnv)
  const figures = await fuzzApi(app, {
    seed,
    requests,
    progress: process.env.PARLEY_FUZZ_REQUESTS ? (line) => t.comment(line) : undefined
  })
  t.comment(
    `${figures.requests} requests over ${figures.operations} operations in ${Math.round(figures.durationMs / 1000)} s: ` +
      `${figures.serverErrors} 5xx, ${figures.outsideEnvelope} outside the envelope, ${figures.refusedWrites} refused but written; ` +
      `statuses ${JSON.stringify(figures.byStatus)}`
  )
  for (const failure of figures.failures) t.comment(failure)
  t.equal(figures.requests, requests)
  t.equal(figures.serverErrors, 0, 'no answer is a 5xx')
  t.equal(figures.outsideEnvelope, 0, 'every answer is in the envelope with a catalogued code')
  t.equal(figures.refusedWrites, 0, 'a refused request stores nothing')
})
