// `npm run bench -- <name> [options]` runs scripts/bench/<name>.ts with the options.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const folder = fileURLToPath(new URL('.', import.meta.url))
const benchmarks = readdirSync(folder)
  .filter(
    (file) =>
      file.endsWith('.ts') && !['run.ts', 'harness.ts', 'bare-server.ts', 'ceilings.ts', 'smpp-peer.ts'].includes(file)
  )
  .map((file) => file.slice(0, -3))
const [name, ...options] = process.argv.slice(2)
if (!name || !existsSync(`${folder}/${name}.ts`) || !benchmarks.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${benchmarks.join('|')}> [--rows N]\n`)
  process.exit(2)
}
const child = spawn(process.execPath, [`${folder}/${name}.ts`, ...options], { stdio: 'inherit' })
child.on('exit', (code) => process.exit(code ?? 1))
