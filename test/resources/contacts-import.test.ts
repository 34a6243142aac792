import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount, createTestUser } from '../helpers/fixtures.ts'
import { caller } from '../helpers/api.ts'

t.test('CSV import through POST /contacts', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const { headers } = account
  const url = '/contacts'
  const csv = (body: string | Buffer, query = '') =>
    api('POST', `${url}${query}`, body, { ...headers, 'content-type': 'text/csv' })
  const count = async () => (await api('GET', `${url}?limit=1`)).body.pagination.totalCount
  for (const name of ['jobTitle', 'Address', 'City', 'State', 'ZipCode']) {
    await api('POST', '/attributes/contacts', { name })
  }
  await api('POST', '/attributes/contacts', { name: 'score', dataType: 'number' })

  t.test("Sakari's CSV example answers ContactUploadResponse", async (t) => {
    const response = await csv(
      'country,firstName,lastName,email,mobile,jobTitle,Address,City,State,ZipCode\nUS,Joe,Bloggs,joebloggs@sakari.co,123-456-7890,mover,123 Text Street,San Francisco,CA,12345\n'
    )
    t.equal(response.status, 201)
    const data = response.body.data
    t.match(data, { submitted: 1, success: 1, inserted: 1, updated: 0, errors: [] })
    t.match(data.contacts[0], {
      firstName: 'Joe',
      lastName: 'Bloggs',
      email: 'joebloggs@sakari.co',
      mobile: { number: '+11234567890', country: 'US' },
      attributes: {
        jobTitle: 'mover',
        Address: '123 Text Street',
        City: 'San Francisco',
        State: 'CA',
        ZipCode: '12345'
      }
    })
  })

  t.test('header problems are refused before any row is written', async (t) => {
    const before = await count()
    const cases: [string, string, string, RegExp][] = [
      ['firstName,mobile\nAnn,+12025550501\n', '', 'IMP-001', /Mobile and Country.*country/],
      ['', '', 'IMP-001', /empty/],
      ['mobile,country,favouriteColour\n+12025550501,US,red\n', '', 'IMP-002', /favouriteColour/],
      [
        'mobile,country,Colour\n+12025550501,US,red\n',
        `?mapping=${encodeURIComponent('{"Colour":"attributes.colour"}')}`,
        'IMP-002',
        /not a defined contact attribute/
      ],
      [
        'mobile,country,a,b\n+12025550501,US,x,y\n',
        `?mapping=${encodeURIComponent('{"a":"firstName","b":"firstName"}')}`,
        'IMP-002',
        /both map to firstName/
      ],
      ['mobile,country\n+12025550501,US\n', '?mapping=notjson', 'REQ-001', /mapping/]
    ]
    for (const [body, query, code, message] of cases) {
      const response = await csv(body, query)
      t.equal(response.status, 400, `${code} ${body.split('\n')[0]}`)
      t.equal(response.body.error.code, code)
      t.match(response.body.error.message, message)
    }
    t.equal(await count(), before, 'nothing was written')
  })

  t.test('mapping, excluded columns, tags and assigned users', async (t) => {
    const agent = await createTestUser(app, account.accountId, 'Sender', 'agent@example.com')
    const mapping = encodeURIComponent(
      JSON.stringify({
        Phone: 'mobile',
        Nation: 'country',
        Job: 'attributes.jobTitle',
        Labels: 'tags',
        Owner: 'assignedUser'
      })
    )
    const response = await csv(
      [
        'Phone,Nation,First Name,Job,Labels,Owner,Notes',
        '202-555-0511,US,Ann,clerk,vip|west| vip ,agent@example.com,ignore me',
        `202-555-0512,US,Bob,,,${agent.userId},`,
        '202-555-0513,US,Cy,,,nobody@example.com,'
      ].join('\n'),
      `?mapping=${mapping}&exclude=Notes`
    )
    t.equal(response.status, 201)
    const data = response.body.data
    t.match(data, { submitted: 3, inserted: 2, success: 2 })
    t.match(data.contacts[0], {
      firstName: 'Ann',
      attributes: { jobTitle: 'clerk' },
      tags: [
        { tag: 'vip', visible: true },
        { tag: 'west', visible: true }
      ],
      assignedUser: { id: agent.userId }
    })
    t.match(data.contacts[1], {
      firstName: 'Bob',
      attributes: {},
      tags: [],
      assignedUser: { email: 'agent@example.com' }
    })
    t.same(data.errors, [
      {
        row: 4,
        mobile: { number: '202-555-0513', country: 'US' },
        error: { code: 'CONT-004', description: 'No user nobody@example.com in this account to assign the contact to' }
      }
    ])
  })

  t.test('bad rows become row errors with their row number; good rows are written', async (t) => {
    const body = Buffer.concat([
      Buffer.from('mobile,country,firstName,score\n'),
      Buffer.from("+12025550521,US,=cmd()|' /C calc'!A0,1\n"), // row 2: formula kept as text
      Buffer.from('12,US,Tiny,2\n'), // row 3: impossible number
      Buffer.from('+12025550523,US,Ragged\n'), // row 4: too few fields
      Buffer.from('+12025550524,US,'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(',4\n'), // row 5: invalid UTF-8
      Buffer.from('+12025550525,US,Score,high\n'), // row 6: not a number
      Buffer.from('(202) 555-0521,US,Again,7\n'), // row 7: same number as row 2
      Buffer.from('+12025550527,,NoCountry,8\n'), // row 8: international form needs no country
      Buffer.from('+12025550528,US,"Quoted, with comma",9\n')
    ])
    const response = await csv(body)
    t.equal(response.status, 201)
    const data = response.body.data
    t.match(data, { submitted: 8, inserted: 3, updated: 0, success: 3 })
    t.same(
      data.errors.map((error: { row: number; error: { code: string } }) => [error.row, error.error.code]),
      [
        [3, 'CONT-001'],
        [4, 'IMP-003'],
        [5, 'IMP-004'],
        [6, 'ATTR-002'],
        [7, 'IMP-006']
      ]
    )
    t.match(data.errors[4].error.description, /appears earlier in this file \(row 2\)/)
    const formula = (await api('GET', `${url}?mobile=5550521`)).body.data[0]
    t.equal(formula.firstName, "=cmd()|' /C calc'!A0", 'formula-like cells are stored as plain text')
    t.equal((await api('GET', `${url}?mobile=5550528`)).body.data[0].firstName, 'Quoted, with comma')
  })

  t.test('a duplicate number in different batches is still caught', async (t) => {
    const batched = await buildTestApp(t, { PARLEY_IMPORT_BATCH_ROWS: '2' })
    const other = await createTestAccount(batched)
    const response = await caller(batched, other)(
      'POST',
      '/contacts',
      'mobile,country\n+12025550531,US\n+12025550532,US\n+12025550533,US\n+12025550531,US\n',
      { ...other.headers, 'content-type': 'text/csv' }
    )
    t.match(response.body.data, { submitted: 4, inserted: 3, errors: [{ row: 5, error: { code: 'IMP-006' } }] })
  })

  t.test('re-importing the same file updates instead of duplicating', async (t) => {
    const file = 'mobile,country,firstName\n+12025550541,US,One\n+12025550542,US,Two\n'
    t.match((await csv(file)).body.data, { inserted: 2, updated: 0 })
    const before = await count()
    t.match((await csv(file.replace('One', 'Uno'))).body.data, { inserted: 0, updated: 2, success: 2 })
    t.equal(await count(), before)
    t.equal((await api('GET', `${url}?mobile=5550541`)).body.data[0].firstName, 'Uno')
  })

  t.test('structural faults are a 400 naming the line, with nothing written', async (t) => {
    const before = await count()
    const unclosed = await csv(
      'mobile,country,firstName\n+12025550551,US,ok\n+12025550552,US,"never closed\n+12025550553,US,x\n'
    )
    t.equal(unclosed.status, 400)
    t.equal(unclosed.body.error.code, 'IMP-009')
    t.match(unclosed.body.error.message, /line \d+/)

    const huge = await csv(
      `mobile,country,firstName\n+12025550554,US,ok\n+12025550555,US,${'x'.repeat(10 * 1024 * 1024)}\n+12025550556,US,after\n`
    )
    t.equal(huge.status, 400, 'a 10 MB field')
    t.equal(huge.body.error.code, 'IMP-005')
    t.match(huge.body.error.message, /line 3: a row is larger than 65536 bytes/)
    t.equal(await count(), before)
    const staged = await app.db.selectFrom('contact_imports').select('id').execute()
    t.equal(staged.length, 0, 'the staged copy of the large upload was removed')
  })

  t.test('multipart upload with mapping fields before the file', async (t) => {
    const boundary = 'parleyboundary'
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: text/csv` : ''}\r\n\r\n${value}\r\n`
    const payload =
      part('mapping', '{"Cell":"mobile"}') +
      part('mergeStrategy', 'remove') +
      part('file', 'Cell,Country,First Name\n+12025550541,US,Solo\n', 'contacts.csv') +
      `--${boundary}--\r\n`
    const response = await api('POST', url, payload, {
      ...headers,
      'content-type': `multipart/form-data; boundary=${boundary}`
    })
    t.equal(response.status, 201)
    t.match(response.body.data, {
      submitted: 1,
      updated: 1,
      contacts: [{ firstName: 'Solo', mobile: { number: '+12025550541' } }]
    })

    const noFile = await api('POST', url, part('mapping', '{}') + `--${boundary}--\r\n`, {
      ...headers,
      'content-type': `multipart/form-data; boundary=${boundary}`
    })
    t.equal(noFile.status, 400)
    t.equal(noFile.body.error.code, 'IMP-010')
  })
})

t.test('a file over the maximum size is 413 IMP-008, as text/csv or multipart, with nothing kept', async (t) => {
  const app = await buildTestApp(t, { PARLEY_IMPORT_MAX_BYTES: '1024', PARLEY_IMPORT_SYNC_MAX_BYTES: '256' })
  const account = await createTestAccount(app)
  const api = caller(app, account)
  const url = '/contacts'
  const file = ['mobile,country', ...Array.from({ length: 100 }, (_, i) => `+1202555${String(2000 + i)},US`)].join('\n')
  const plain = await api('POST', url, file, { ...account.headers, 'content-type': 'text/csv' })
  t.equal(plain.status, 413)
  t.equal(plain.body.error.code, 'IMP-008')

  const boundary = 'parleyboundary'
  const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\n`
  const multipart = await api('POST', url, payload, {
    ...account.headers,
    'content-type': `multipart/form-data; boundary=${boundary}`
  })
  t.equal(multipart.status, 413)
  t.equal(multipart.body.error.code, 'IMP-008')

  t.equal((await api('GET', url)).body.pagination.totalCount, 0)
  t.equal((await app.db.selectFrom('contact_imports').select('id').execute()).length, 0, 'the staged copy was removed')
})
