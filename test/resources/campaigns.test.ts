import t from 'tap'
import { runDueCampaigns } from '../../src/resources/campaigns/campaigns.service.ts'
import { buildTestApp } from '../helpers/app.ts'
import { caller, created } from '../helpers/api.ts'
import { createTestAccount, createTestUser, type TestAccount } from '../helpers/fixtures.ts'
import { eventually, quickSandbox, sandboxSender } from '../helpers/messaging.ts'

t.test('campaigns', async (t) => {
  const app = await buildTestApp(t, quickSandbox)

  async function withContacts(account: TestAccount, names: string[], tag?: string) {
    const api = caller(app, account)
    const ids: string[] = []
    for (const [index, firstName] of names.entries()) {
      const [contact] = await created(
        api('POST', '/contacts', {
          firstName,
          mobile: { number: `+1202555${String(1000 + index)}`, country: 'US' },
          ...(tag ? { tags: [{ tag }] } : {})
        })
      )
      ids.push(contact.id)
    }
    return ids
  }

  async function jobMessagesIn(instance: typeof app, account: TestAccount, jobId: string): Promise<string[]> {
    const page = await created(caller(instance, account)('GET', `/messages?jobId=${jobId}&limit=100`))
    return page.map((message: { message: string }) => message.message).sort()
  }
  const jobMessages = (account: TestAccount, jobId: string) => jobMessagesIn(app, account, jobId)

  t.test("Sakari's documented create example works verbatim; fetch, list, update and delete", async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const made = await api('POST', '/campaigns', {
      name: 'Marketing Campaign',
      trigger: { code: 'M' },
      template: 'Hi {{{contact.firstName}}}',
      reporting: { when: 'NoReport' }
    })
    t.equal(made.status, 201)
    t.match(made.body.data, {
      name: 'Marketing Campaign',
      description: null,
      trigger: { code: 'M', name: 'Manual' },
      template: 'Hi {{{contact.firstName}}}',
      reporting: { when: 'NoReport' },
      schedule: null,
      lastJob: null,
      nextExecution: null,
      paused: false,
      created: { by: { id: account.clientId } }
    })
    const id = made.body.data.id
    t.match(await created(api('GET', `/campaigns/${id}`)), { id, name: 'Marketing Campaign' })
    const page = await api('GET', '/campaigns?name=market')
    t.equal(page.body.pagination.totalCount, 1)
    t.equal((await api('GET', '/campaigns?name=nothing')).body.pagination.totalCount, 0)
    const updated = await created(
      api('PUT', `/campaigns/${id}`, {
        description: 'Spring',
        filters: { tags: [{ tag: 'vip', visible: true }, 'new'] }
      })
    )
    t.match(updated, {
      description: 'Spring',
      template: 'Hi {{{contact.firstName}}}',
      filters: { tags: ['vip', 'new'] }
    })
    t.equal((await api('POST', '/campaigns', { name: 'No text' })).body.error.code, 'CAMP-002')
    t.equal((await api('POST', '/campaigns', { name: 'Bad', template: 'Hi {{#x}' })).body.error.code, 'TMPL-002')
    t.equal(
      (await api('POST', '/campaigns', { name: 'L', template: 'x', filters: { list: 'nope' } })).body.error.code,
      'LIST-001'
    )
    t.equal((await api('DELETE', `/campaigns/${id}`)).status, 200)
    t.equal((await api('GET', `/campaigns/${id}`)).body.error.code, 'CAMP-001')
    t.equal((await caller(app, await createTestAccount(app))('GET', `/campaigns/${id}`)).status, 404)
  })

  t.test('a manual run is a send job: it follows the send rules and shows as the last job', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    await sandboxSender(app, account)
    const [, , cyd] = await withContacts(account, ['Ann', 'Bob', 'Cyd', 'Dee'], 'spring')
    await created(api('POST', `/contacts/${cyd}/opt-out`))
    const campaign = await created(
      api('POST', '/campaigns', { name: 'Spring', template: 'Sale, {{{firstName}}}', filters: { tags: ['spring'] } })
    )
    const run = await api(
      'POST',
      `/campaigns/${campaign.id}/execute`,
      {},
      { ...api.headers, 'idempotency-key': `run-${campaign.id}` }
    )
    t.equal(run.status, 200)
    t.match(run.body.data, { status: 'completed', submitted: 4, invalid: 1, failures: 0 })
    t.ok(run.body.data.price > 0)
    t.same(await jobMessages(account, run.body.data.id), ['Sale, Ann', 'Sale, Bob', 'Sale, Dee'])
    const replay = await api(
      'POST',
      `/campaigns/${campaign.id}/execute`,
      {},
      { ...api.headers, 'idempotency-key': `run-${campaign.id}` }
    )
    t.equal(replay.headers['idempotent-replayed'], 'true')
    t.equal(replay.body.data.id, run.body.data.id, 'a retried run with its key sends nothing again')
    t.match(await created(api('GET', `/campaigns/${campaign.id}`)), { lastJob: { id: run.body.data.id, submitted: 4 } })
    const again = await created(api('POST', `/campaigns/${campaign.id}/execute`))
    t.equal(again.invalid, 4, 'a second run within 30 minutes meets the duplicate guard (and the opt-out)')
  })

  t.test("a campaign without audience filters (Sakari's documented example) sends to every contact", async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    await sandboxSender(app, account)
    await withContacts(account, ['Ann', 'Bob', 'Cyd'])
    const campaign = await created(
      api('POST', '/campaigns', {
        name: 'Marketing Campaign',
        trigger: { code: 'M' },
        template: 'Hi {{{contact.firstName}}}',
        reporting: { when: 'NoReport' }
      })
    )
    const run = await created(api('POST', `/campaigns/${campaign.id}/execute`))
    t.match(run, { submitted: 3, invalid: 0 })
    t.same(await jobMessages(account, run.id), ['Hi Ann', 'Hi Bob', 'Hi Cyd'])
    const other = await createTestAccount(app)
    t.same(await created(caller(app, other)('GET', '/messages')), [], "another account's contacts get nothing")
  })

  t.test('only Administrators and Campaign Managers create, change, run or delete campaigns', async (t) => {
    const account = await createTestAccount(app)
    const campaign = await created(caller(app, account)('POST', '/campaigns', { name: 'Mine', template: 'x' }))
    const sender = caller(app, {
      accountId: account.accountId,
      headers: (await createTestUser(app, account.accountId, 'Sender')).headers
    })
    for (const [method, path] of [
      ['POST', '/campaigns'],
      ['PUT', `/campaigns/${campaign.id}`],
      ['POST', `/campaigns/${campaign.id}/execute`],
      ['DELETE', `/campaigns/${campaign.id}`],
      ['POST', '/quickcampaigns']
    ] as const) {
      const answer = await sender(method, path, {
        name: 'x',
        template: 'x',
        groupId: 'g',
        listId: 'l',
        message: { message: 'x' }
      })
      t.equal(answer.status, 403, `${method} ${path}`)
      t.equal(answer.body.error.code, 'ACCT-016')
    }
    t.equal((await sender('GET', `/campaigns/${campaign.id}`)).status, 200, 'every role reads campaigns')
    const manager = caller(app, {
      accountId: account.accountId,
      headers: (await createTestUser(app, account.accountId, 'Campaign Manager')).headers
    })
    t.equal((await manager('PUT', `/campaigns/${campaign.id}`, { name: 'Theirs' })).status, 200)
  })

  t.test('a scheduled campaign runs once per tick with two instances, and not while paused', async (t) => {
    const second = await buildTestApp(t, { ...quickSandbox, DATABASE_URL: app.deps.config.databaseUrl! })
    const account = await createTestAccount(app)
    const api = caller(app, account)
    await sandboxSender(app, account)
    await withContacts(account, ['Ann', 'Bob'], 'weekly')
    t.equal(
      (await api('POST', '/campaigns', { name: 'S', trigger: { code: 'S' }, template: 'x' })).body.error.code,
      'CAMP-003'
    )
    t.equal(
      (
        await api('POST', '/campaigns', {
          name: 'S',
          trigger: { code: 'S' },
          template: 'x',
          schedule: { cron: '0 9 * * 1', timezone: 'Mars/Olympus' }
        })
      ).body.error.code,
      'CAMP-003'
    )
    const campaign = await created(
      api('POST', '/campaigns', {
        name: 'Weekly',
        trigger: { code: 'S' },
        template: 'Weekly news, {{{firstName}}}',
        filters: { tags: ['weekly'] },
        schedule: { cron: '0 9 * * 1', timezone: 'America/New_York', frequency: 'weekly' }
      })
    )
    const next = new Date(campaign.nextExecution)
    t.equal(next.getUTCDay(), 1, 'next Monday')
    t.ok([13, 14].includes(next.getUTCHours()), '09:00 in New York is 13:00 or 14:00 UTC')
    const due = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000)
    const makeDue = () =>
      app.db.updateTable('campaigns').set({ next_run_at: due }).where('id', '=', campaign.id).execute()

    await makeDue()
    const ran = await Promise.all([runDueCampaigns(app.deps), runDueCampaigns(second.deps)])
    t.equal(ran[0] + ran[1], 1, 'two schedulers seeing the same tick run it once')
    const jobs = await app.db.selectFrom('send_jobs').select('id').where('account_id', '=', account.accountId).execute()
    t.equal(jobs.length, 1)
    t.same(await jobMessages(account, jobs[0]!.id), ['Weekly news, Ann', 'Weekly news, Bob'])
    const after = await created(api('GET', `/campaigns/${campaign.id}`))
    t.ok(new Date(after.nextExecution) > new Date(), 'the tick moved to the next Monday')
    t.equal(after.lastJob.id, jobs[0]!.id)
    t.equal(await runDueCampaigns(app.deps), 0, 'nothing is due until the next tick')

    const paused = await created(api('PUT', `/campaigns/${campaign.id}`, { paused: true }))
    t.match(paused, { paused: true, nextExecution: null })
    await makeDue()
    t.equal(await runDueCampaigns(app.deps), 0, 'a paused campaign does not run')
    const resumed = await created(api('PUT', `/campaigns/${campaign.id}`, { paused: false }))
    t.ok(resumed.nextExecution)

    const [template] = await created(api('POST', '/templates', { name: 'Soon gone', template: 'Gone soon' }))
    const orphan = await created(
      api('POST', '/campaigns', {
        name: 'Orphan',
        trigger: { code: 'S' },
        templateId: template.id,
        filters: { tags: ['weekly'] },
        schedule: { cron: '*/5 * * * *' }
      })
    )
    await created(api('DELETE', `/templates/${template.id}`))
    await app.db.updateTable('campaigns').set({ next_run_at: due }).where('id', '=', orphan.id).execute()
    t.equal(await runDueCampaigns(app.deps), 0, 'a run its settings refuse sends nothing')
    const skipped = await created(api('GET', `/campaigns/${orphan.id}`))
    t.ok(new Date(skipped.nextExecution) > new Date(), 'and skips the tick rather than failing every minute')
    t.equal(skipped.lastJob, null)
  })

  t.test('a scheduled run acts as its saver as they are now: a saver who lost the role runs nothing', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const sender = await sandboxSender(app, account)
    await withContacts(account, ['Ann'], 'daily')
    const manager = await createTestUser(app, account.accountId, 'Campaign Manager')
    await created(api('PUT', `/groups/${sender.groupId}/users/${manager.userId}`))
    const asManager = caller(app, { accountId: account.accountId, headers: manager.headers })
    const campaign = await created(
      asManager('POST', '/campaigns', {
        name: 'Daily',
        trigger: { code: 'S' },
        template: 'Daily, {{{firstName}}}',
        filters: { tags: ['daily'] },
        schedule: { cron: '0 8 * * *' }
      })
    )
    const makeDue = () =>
      app.db
        .updateTable('campaigns')
        .set({ next_run_at: new Date(Date.now() - 60_000) })
        .where('id', '=', campaign.id)
        .execute()
    await makeDue()
    t.equal(await runDueCampaigns(app.deps), 1, 'runs while its saver is a Campaign Manager')
    t.match((await created(api('GET', `/campaigns/${campaign.id}`))).lastJob, { submitted: 1 })

    await created(api('PUT', `/users/${manager.userId}`, { role: 'Sender' }))
    await makeDue()
    t.equal(await runDueCampaigns(app.deps), 0, 'a saver demoted to Sender runs nothing')
    const skipped = await created(api('GET', `/campaigns/${campaign.id}`))
    t.ok(new Date(skipped.nextExecution) > new Date(), 'the tick is skipped, not retried every minute')
    t.equal((await created(api('GET', `/messages?limit=100`))).length, 1, 'no second message went out')
  })

  t.test('a file upload creates or updates the contacts and sends to exactly them', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    await sandboxSender(app, account)
    await withContacts(account, ['Outsider'])
    await created(api('POST', '/attributes/contacts', { name: 'plan', label: 'Plan', dataType: 'text' }))
    const campaign = await created(
      api('POST', '/campaigns', {
        name: 'Uploads',
        trigger: { code: 'FU' },
        template: 'Welcome {{{firstName}}} on {{{plan}}}',
        fieldMappings: [
          { column: 'Phone', attribute: 'mobile', mandatory: true },
          { column: 'Nation', attribute: 'country', mandatory: true },
          { column: 'First', attribute: 'firstName' },
          { column: 'Tier', attribute: 'plan' }
        ]
      })
    )
    t.equal((await api('POST', `/campaigns/${campaign.id}/execute`)).body.error.code, 'CAMP-004')
    const csv = 'Phone,Nation,First,Tier\n2025553001,US,Ann,gold\n2025553002,US,Bob,silver\n'
    const upload = await api('POST', `/campaigns/${campaign.id}/upload`, csv, {
      ...api.headers,
      'content-type': 'text/csv'
    })
    t.equal(upload.status, 201, JSON.stringify(upload.body))
    t.match(upload.body.data, { upload: { submitted: 2, inserted: 2 }, job: { submitted: 2, invalid: 0 } })
    t.same(await jobMessages(account, upload.body.data.job.id), ['Welcome Ann on gold', 'Welcome Bob on silver'])
    const contacts = await created(api('GET', '/contacts?firstName=Ann'))
    t.match(contacts[0], { mobile: { number: '+12025553001' }, attributes: { plan: 'gold' } })
    const lacking = await api('POST', `/campaigns/${campaign.id}/upload`, 'Phone,First\n2025553003,Cyd\n', {
      ...api.headers,
      'content-type': 'text/csv'
    })
    t.equal(lacking.status, 400)
    t.match(lacking.body.error, { code: 'CAMP-005', message: /Nation/ })
    t.same(await created(api('GET', '/contacts?firstName=Cyd')), [], 'a refused file writes nothing')
    const manual = await created(api('POST', '/campaigns', { name: 'M', template: 'x' }))
    t.equal(
      (await api('POST', `/campaigns/${manual.id}/upload`, csv, { ...api.headers, 'content-type': 'text/csv' })).body
        .error.code,
      'CAMP-004'
    )
  })

  t.test('a large uploaded file is imported in the background, and its import job runs the campaign', async (t) => {
    const small = await buildTestApp(t, { ...quickSandbox, PARLEY_IMPORT_SYNC_MAX_ROWS: '2' })
    const account = await createTestAccount(small)
    const api = caller(small, account)
    await sandboxSender(small, account)
    const campaign = await created(
      api('POST', '/campaigns', { name: 'Big file', trigger: { code: 'FU' }, template: 'Hello {{{firstName}}}' })
    )
    const boundary = 'campaign-upload'
    const csv = 'mobile,country,firstName\n2025554001,US,Ann\n2025554002,US,Bob\n2025554003,US,Cyd\n'
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\nContent-Type: text/csv\r\n\r\n` +
      `${csv}\r\n--${boundary}--\r\n`
    const upload = await api('POST', `/campaigns/${campaign.id}/upload`, body, {
      ...api.headers,
      'content-type': `multipart/form-data; boundary=${boundary}`
    })
    t.equal(upload.status, 202, JSON.stringify(upload.body))
    t.match(upload.body.data, { jobId: String, status: 'queued' })
    const ran = await eventually(
      async () => (await created(api('GET', `/campaigns/${campaign.id}`))).lastJob,
      (job) => job !== null
    )
    t.match(ran, { submitted: 3, invalid: 0 })
    t.same(await jobMessagesIn(small, account, ran.id), ['Hello Ann', 'Hello Bob', 'Hello Cyd'])
  })

  t.test('a quick campaign creates and runs a campaign for a list', async (t) => {
    const account = await createTestAccount(app)
    const api = caller(app, account)
    const sender = await sandboxSender(app, account)
    const [ann, , cyd] = await withContacts(account, ['Ann', 'Bob', 'Cyd'])
    const list = await created(api('POST', '/lists', { name: 'Two', contacts: [ann, cyd] }))
    const answer = await api('POST', '/quickcampaigns', {
      name: 'Flash sale',
      groupId: sender.groupId,
      listId: list.id,
      message: { message: 'Flash sale, {{{firstName}}}!' }
    })
    t.equal(answer.status, 201)
    t.match(answer.body.data, {
      campaign: {
        name: 'Flash sale',
        trigger: { code: 'M' },
        filters: { list: list.id },
        phoneNumberFilter: { group: { id: sender.groupId } }
      },
      job: { submitted: 2, invalid: 0 }
    })
    t.equal(answer.body.data.campaign.lastJob.id, answer.body.data.job.id)
    t.same(await jobMessages(account, answer.body.data.job.id), ['Flash sale, Ann!', 'Flash sale, Cyd!'])
    const later = await created(
      api('POST', '/quickcampaigns', {
        name: 'Later',
        groupId: sender.groupId,
        listId: list.id,
        message: { message: 'Tomorrow' },
        sendAt: new Date(Date.now() + 86_400_000).toISOString()
      })
    )
    const scheduled = await created(api('GET', `/messages?jobId=${later.job.id}`))
    t.same(
      scheduled.map((message: { status: string }) => message.status),
      ['scheduled', 'scheduled']
    )
    t.equal(
      (
        await api('POST', '/quickcampaigns', {
          name: 'x',
          groupId: sender.groupId,
          listId: 'nope',
          message: { message: 'x' }
        })
      ).body.error.code,
      'LIST-001'
    )
  })
})
