// The tables of docs/ that are generated from the code, so a page cannot fall behind it: the error
// catalogue (src/errors/catalog.ts) and the environment variables (the TypeBox schema in src/config.ts,
// one line per variable from its description). `npm run openapi` rewrites them;
// test/app/openapi.test.ts fails when a page drifts or a variable has no description.
import { EnvSchema } from '../src/config.ts'
import { errorTableRows } from '../src/errors/catalog.ts'

/** A generated page: its path from the repository root and how to regenerate its text. */
export interface GeneratedPage {
  path: string
  regenerate: (text: string) => string
}

export const generatedPages: GeneratedPage[] = [
  { path: 'docs/errors.md', regenerate: (text) => withSection(text, 'error-catalog', errorTable()) },
  { path: 'docs/configuration.md', regenerate: (text) => withSection(text, 'configuration', configurationTable()) }
]

function errorTable(): string[] {
  return ['| code | HTTP status | meaning |', '| --- | --- | --- |', ...errorTableRows()]
}

function configurationTable(): string[] {
  const rows = Object.entries(EnvSchema.properties).map(([name, schema]) => {
    const { description, default: fallback } = schema as { description?: string; default?: unknown }
    if (!description)
      throw new Error(`${name} has no description in src/config.ts: it is the variable's line in docs/configuration.md`)
    return `| \`${name}\` | ${fallback === undefined ? 'unset' : `\`${String(fallback)}\``} | ${description} |`
  })
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows]
}

/** `text` with the lines between `<!-- name:start … -->` and `<!-- name:end -->` replaced by `lines`. */
function withSection(text: string, name: string, lines: string[]): string {
  const start = text.indexOf(`<!-- ${name}:start`)
  const startEnd = text.indexOf('-->', start) + '-->'.length
  const end = text.indexOf(`<!-- ${name}:end -->`)
  if (start < 0 || end < startEnd) throw new Error(`the page lacks the ${name} markers`)
  return `${text.slice(0, startEnd)}\n${lines.join('\n')}\n${text.slice(end)}`
}
