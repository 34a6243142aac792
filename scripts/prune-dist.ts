// After `npm start`'s incremental compile: removes compiled files whose TypeScript source is gone.
// tsc never deletes old output, and the migrator runs every file in dist/migrations, so a migration
// compiled on another branch or commit would otherwise run against this one's database.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

function prune(compiled: string, source: string): void {
  if (!existsSync(compiled)) return
  for (const entry of readdirSync(compiled, { withFileTypes: true })) {
    const path = join(compiled, entry.name)
    if (entry.isDirectory()) {
      if (existsSync(join(source, entry.name))) prune(path, join(source, entry.name))
      else rmSync(path, { recursive: true })
    } else if (entry.name.endsWith('.js') && !existsSync(join(source, `${entry.name.slice(0, -3)}.ts`))) {
      rmSync(path)
    }
  }
}

prune('dist/src', 'src')
prune('dist/migrations', 'migrations')
