import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import GithubSlugger from 'github-slugger'
import t from 'tap'

const root = fileURLToPath(new URL('../..', import.meta.url))

function markdownFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) return markdownFiles(path)
    return name.endsWith('.md') ? [path] : []
  })
}

/** The page's text outside fenced code blocks and inline code, where a link is a link. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')
}

/** The anchors GitHub gives the page's headings (github-slugger is the algorithm GitHub uses). */
function anchors(path: string): Set<string> {
  const slugger = new GithubSlugger()
  const headings = prose(readFileSync(path, 'utf8')).match(/^#{1,6} .*$/gm) ?? []
  return new Set(headings.map((heading) => slugger.slug(heading.replace(/^#+ /, ''))))
}

const pages = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))]

t.test('the README is a doorway of at most 250 lines', async (t) => {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length
  t.ok(lines <= 250, `README.md has ${lines} lines`)
})

t.test('every page of docs/ is linked from the README', async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  for (const page of pages.slice(1)) t.ok(readme.includes(`](${relative(root, page)})`), relative(root, page))
})

t.test('every relative link of the README and docs/ reaches a file, and its anchor a heading', async (t) => {
  let links = 0
  for (const page of pages) {
    for (const [, target] of prose(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue
      links++
      const [file, anchor] = target!.split('#')
      const path = file ? join(dirname(page), file) : page
      const where = `${relative(root, page)}: ${target}`
      if (!existsSync(path)) {
        t.fail(`${where} names no file`)
        continue
      }
      if (anchor !== undefined) t.ok(anchors(path).has(anchor), `${where} names a heading`)
    }
  }
  t.ok(links > 50, `${links} links checked`)
})
