import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { defaultDataDir } from '../../src/db/embedded.ts'

// With PARLEY_DATA_DIR unset the embedded database lives in ./.data, unless Parley runs as root in a
// folder the cluster's `postgres` user cannot enter (a clone in /root): then in /var/lib/parley.
const isRoot = process.getuid?.() === 0

t.test('the default data folder', async (t) => {
  const base = mkdtempSync(path.join(tmpdir(), 'parley-datadir-'))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const open = path.join(base, 'open')
  const closed = path.join(base, 'closed')
  const clone = path.join(closed, 'clone')
  mkdirSync(open, { mode: 0o755 })
  mkdirSync(clone, { recursive: true })
  chmodSync(base, 0o755)
  chmodSync(closed, 0o700)
  const start = process.cwd()
  t.teardown(() => process.chdir(start))

  process.chdir(open)
  t.equal(await defaultDataDir(), path.join(open, '.data'), 'an open working folder keeps ./.data')

  process.chdir(clone)
  t.equal(
    await defaultDataDir(),
    isRoot ? '/var/lib/parley' : path.join(clone, '.data'),
    isRoot ? 'as root in a closed folder: /var/lib/parley' : 'not root: the cluster runs as this user, ./.data'
  )
})
