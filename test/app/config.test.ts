import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.ts'

t.test('defaults', async (t) => {
  const config = loadConfig({})
  t.equal(config.port, 3000)
  t.equal(config.databaseUrl, undefined, 'no DATABASE_URL means the embedded database')
  t.equal(config.dataDir, undefined, 'the embedded database picks its folder (src/db/embedded.ts)')
  t.equal(config.trustProxy, false, 'X-Forwarded-For is not believed unless configured')
  t.equal(config.bootstrap, undefined)
  t.ok(Object.isFrozen(config))
})

t.test('PARLEY_TRUST_PROXY: a count of proxies or a list of addresses', async (t) => {
  t.equal(loadConfig({ PARLEY_TRUST_PROXY: '2' }).trustProxy, 2)
  t.equal(loadConfig({ PARLEY_TRUST_PROXY: '0' }).trustProxy, false)
  t.same(loadConfig({ PARLEY_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,loopback' }).trustProxy, [
    '10.0.0.1',
    '192.168.0.0/16',
    'loopback'
  ])
  t.throws(() => loadConfig({ PARLEY_TRUST_PROXY: 'true; rm' }), ConfigError)
})

t.test('bad values are refused, naming each variable', async (t) => {
  const error = t.throws(() =>
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://db/parley', LOG_LEVEL: 'loud' })
  ) as ConfigError
  t.ok(error instanceof ConfigError)
  t.match(error.message, /PORT: /)
  t.match(error.message, /DATABASE_URL: /)
  t.match(error.message, /LOG_LEVEL: /)
  t.equal(error.problems.length, 3)
})

t.test('bootstrap variables come as a set of three', async (t) => {
  const error = t.throws(() => loadConfig({ PARLEY_BOOTSTRAP_ACCOUNT_ID: 'acme' })) as ConfigError
  t.match(error.message, /PARLEY_BOOTSTRAP_CLIENT_ID, PARLEY_BOOTSTRAP_CLIENT_SECRET: must be set together/)
  const config = loadConfig({
    PARLEY_BOOTSTRAP_ACCOUNT_ID: 'acme',
    PARLEY_BOOTSTRAP_CLIENT_ID: '12345678-1234-1234-1234-123456789012',
    PARLEY_BOOTSTRAP_CLIENT_SECRET: '87654321-4321-4321-4321-098765432121'
  })
  t.same(config.bootstrap, {
    accountId: 'acme',
    clientId: '12345678-1234-1234-1234-123456789012',
    clientSecret: '87654321-4321-4321-4321-098765432121',
    adminEmail: 'admin@parley.local'
  })
})

t.test(
  'the demo sender: on by default, off with PARLEY_DEMO_SENDER=false; the bootstrap number must be possible',
  async (t) => {
    t.equal(loadConfig({}).demoSender, true)
    t.equal(loadConfig({ PARLEY_DEMO_SENDER: 'false' }).demoSender, false)
    const bootstrap = {
      PARLEY_BOOTSTRAP_ACCOUNT_ID: 'acme',
      PARLEY_BOOTSTRAP_CLIENT_ID: '12345678-1234-1234-1234-123456789012',
      PARLEY_BOOTSTRAP_CLIENT_SECRET: '87654321-4321-4321-4321-098765432121'
    }
    t.equal(
      loadConfig({ ...bootstrap, PARLEY_BOOTSTRAP_SENDER_NUMBER: '+12125550142' }).bootstrap?.senderNumber,
      '+12125550142'
    )
    const error = t.throws(() => loadConfig({ ...bootstrap, PARLEY_BOOTSTRAP_SENDER_NUMBER: '+1212' })) as ConfigError
    t.match(error.message, /PARLEY_BOOTSTRAP_SENDER_NUMBER: /)
    const impossible = t.throws(() =>
      loadConfig({ ...bootstrap, PARLEY_BOOTSTRAP_SENDER_NUMBER: '+999123456789' })
    ) as ConfigError
    t.same(impossible.problems, ['PARLEY_BOOTSTRAP_SENDER_NUMBER: +999123456789 is not a possible phone number'])
  }
)

t.test('the default help text must fit one message, as every reply must', async (t) => {
  const error = t.throws(() => loadConfig({ PARLEY_HELP_TEXT: '好'.repeat(700) })) as ConfigError
  t.same(error.problems, ['PARLEY_HELP_TEXT: Message too long: 11 segments, at most 10'])
  t.equal(loadConfig({ PARLEY_HELP_TEXT: '好'.repeat(670) }).messaging.helpText.length, 670, 'ten UCS-2 parts fit')
})

t.test('the public URL carriers call back on', async (t) => {
  t.equal(loadConfig({}).publicUrl, undefined)
  t.equal(
    loadConfig({ PARLEY_PUBLIC_URL: 'https://sms.example.com/parley/' }).publicUrl,
    'https://sms.example.com/parley'
  )
  const error = t.throws(() => loadConfig({ PARLEY_PUBLIC_URL: 'sms.example.com' })) as ConfigError
  t.match(error.problems, [/^PARLEY_PUBLIC_URL: /])
  t.throws(() => loadConfig({ PARLEY_PUBLIC_URL: 'https://sms.example.com/?x=1' }), ConfigError, 'no query')
})

t.test(
  'mail: kept without PARLEY_SMTP_URL; with it, a From address and a public URL, and no password echoed',
  async (t) => {
    const kept = loadConfig({}).mail
    t.same(kept, {
      smtpUrl: undefined,
      from: undefined,
      publicUrl: 'http://localhost:3000',
      retryLimit: 24,
      retryDelaySeconds: 30
    })
    const smtp = {
      PARLEY_SMTP_URL: 'smtps://parley:s3cret-pass@mail.example.com:465',
      PARLEY_MAIL_FROM: ' Parley <parley@example.com> ',
      PARLEY_PUBLIC_URL: 'https://sms.example.com/'
    }
    t.match(loadConfig(smtp).mail, {
      smtpUrl: smtp.PARLEY_SMTP_URL,
      from: 'Parley <parley@example.com>',
      publicUrl: 'https://sms.example.com'
    })
    const missing = t.throws(() => loadConfig({ PARLEY_SMTP_URL: smtp.PARLEY_SMTP_URL })) as ConfigError
    t.match(missing.problems, [/^PARLEY_MAIL_FROM: is required/, /^PARLEY_PUBLIC_URL: is required/])
    for (const url of [
      'http://parley:s3cret-pass@mail.example.com',
      'smtp//parley:s3cret-pass@mail',
      'smtp://:s3cret-pass@'
    ]) {
      const error = t.throws(() => loadConfig({ ...smtp, PARLEY_SMTP_URL: url })) as ConfigError
      t.match(error.message, /PARLEY_SMTP_URL: /, url)
      t.notOk(error.message.includes('s3cret-pass'), 'the password is not echoed')
    }
    const badFrom = t.throws(() => loadConfig({ ...smtp, PARLEY_MAIL_FROM: 'parley at example' })) as ConfigError
    t.match(badFrom.message, /PARLEY_MAIL_FROM: must be an address/)
  }
)

t.test('empty variables count as unset', async (t) => {
  t.equal(loadConfig({ DATABASE_URL: '', PORT: '' }).port, 3000)
})

t.test('the server fails fast with a clear message on bad configuration', async (t) => {
  const result = spawnSync(process.execPath, ['src/server.ts'], {
    env: { ...process.env, PORT: 'eighty', DATABASE_URL: '' },
    encoding: 'utf8',
    timeout: 20_000
  })
  t.equal(result.status, 1)
  t.match(result.stderr, /Invalid configuration:\n {2}- PORT: must be integer \(got "eighty"\)/)
})

t.test('PARLEY_CARRIERS: one line per problem, never a value', async (t) => {
  const problems = (env: Record<string, string>) => (t.throws(() => loadConfig(env)) as ConfigError).problems

  t.same(problems({ PARLEY_CARRIERS: '{"op": {"type": "smpp", "password": "hunter2"' }), [
    'PARLEY_CARRIERS: is not valid JSON'
  ])
  t.same(problems({ PARLEY_CARRIERS: '["smpp"]' }), [
    'PARLEY_CARRIERS: must be a JSON object of carrier name → settings'
  ])
  const lines = problems({
    PARLEY_CARRIERS: JSON.stringify({
      sandbox: { type: 'smpp' },
      mystery: { type: 'kannel', password: 'hunter2' },
      op: { type: 'smpp', host: 'smsc.example.com', port: 'x', password: 'hunter2-is-too-long', extra: 1 },
      tw: { type: 'twilio', accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'tok-secret-1' }
    })
  })
  t.match(lines, [
    /^PARLEY_CARRIERS: carrier "sandbox": the name "sandbox" is the built-in sandbox's$/,
    /^PARLEY_CARRIERS: carrier "mystery": "type" must be one of smpp, twilio$/,
    /^PARLEY_CARRIERS: carrier "op": must have required properties systemId$/,
    /^PARLEY_CARRIERS: carrier "op": must not have additional properties \(extra\)$/,
    /^PARLEY_CARRIERS: carrier "op": port: must be integer$/,
    /^PARLEY_CARRIERS: carrier "op": password: must not have more than 8 characters$/,
    /^PARLEY_CARRIERS: carrier "tw": needs PARLEY_PUBLIC_URL/
  ])
  t.equal(lines.length, 7)
  t.notMatch(lines.join('\n'), /hunter2|tok-secret/, 'no secret echoed')

  t.same(problems({ PARLEY_CARRIERS_FILE: '/nonexistent/carriers.json' }), [
    'PARLEY_CARRIERS_FILE: cannot read /nonexistent/carriers.json (ENOENT)'
  ])
})

t.test('PARLEY_CARRIERS_FILE holds the same JSON', async (t) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'parley-carriers-'))
  t.teardown(() => rmSync(folder, { recursive: true }))
  const file = path.join(folder, 'carriers.json')
  const settings = { type: 'smpp', host: 'smsc.example.com', port: 2775, systemId: 'parley', password: 'secret' }
  writeFileSync(file, JSON.stringify({ operator: settings }))
  t.same(loadConfig({ PARLEY_CARRIERS_FILE: file }).carriers, { operator: settings })
  t.same(loadConfig({}).carriers, {})
})
