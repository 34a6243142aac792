// `npm run fuzz -- --requests N [--seed S]`: the API fuzz test of the suite, run longer or replayed.
// Like `npm test`, it uses DATABASE_URL, or an embedded PostgreSQL when that is unset.
import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '20000' }, seed: { type: 'string' } }
})
const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_FUZZ_REQUESTS: values.requests! }
if (values.seed !== undefined) env.PARLEY_FUZZ_SEED = values.seed

const child = spawn(process.execPath, ['scripts/test.ts', '--timeout=0', '--reporter=tap', 'test/fuzz/api.test.ts'], {
  stdio: 'inherit',
  env
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
