import type { Db, DbOrTx, Tx } from '../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors/api-error.ts'
import { orThrow } from '../../errors/refusal.ts'
import { nextRun } from '../../lib/cron-schedule.ts'
import { templateRefusal } from '../../lib/render-template.ts'
import { actorJson } from '../../shared/audit.ts'
import { newId } from '../../shared/ids.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import { findCredentialWithUser } from '../credentials/credentials.repository.ts'
import { assertCanUseGroup } from '../groups/group-access.ts'
import { requireList } from '../lists/lists.service.ts'
import type { SendMessagesRequestShape, SendMessagesResultShape } from '../messages/messages.schemas.ts'
import { requestHash, withIdempotencyKey, type Answer } from '../messages/send/idempotency.service.ts'
import { hasFilters } from '../messages/send/recipients.service.ts'
import { sendWithin } from '../messages/send/send.service.ts'
import { getTemplate } from '../templates/templates.service.ts'
import { findUser } from '../users/users.repository.ts'
import {
  campaignJobs,
  claimTick,
  deleteCampaign,
  dueCampaigns,
  findCampaign,
  insertCampaign,
  listCampaigns,
  lockCampaign,
  updateCampaign,
  type CampaignValues
} from './campaigns.repository.ts'
import {
  CAMPAIGN_MANAGERS,
  normalizeFilters,
  type CampaignRequestShape,
  type CampaignShape,
  type CampaignUpdateShape,
  type QuickCampaignRequestShape
} from './campaigns.schemas.ts'
import { toCampaign, toCampaignJob } from './campaigns.mapper.ts'
import type { CampaignRow } from './campaigns.table.ts'

export type CampaignJobShape = ReturnType<typeof toCampaignJob>

export function campaignNotFound(campaignId: string): ApiError {
  return new ApiError('CAMP-001', `Campaign ${campaignId} not found`)
}

async function requireCampaign(db: DbOrTx, accountId: string, campaignId: string): Promise<CampaignRow> {
  const campaign = await findCampaign(db, accountId, campaignId)
  if (!campaign) throw campaignNotFound(campaignId)
  return campaign
}

export async function campaignView(db: DbOrTx, accountId: string, campaign: CampaignRow): Promise<CampaignShape> {
  const [lastJob] = await campaignJobs(db, accountId, campaign.last_job_id === null ? [] : [campaign.last_job_id])
  return toCampaign(campaign, lastJob)
}

async function jobView(db: DbOrTx, accountId: string, jobId: string): Promise<CampaignJobShape> {
  const [job] = await campaignJobs(db, accountId, [jobId])
  return toCampaignJob(job!)
}

/** A stored campaign as the request that would create it again, so an update merges into it. */
function asRequest(row: CampaignRow): CampaignRequestShape {
  return {
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    trigger: { code: row.trigger_code },
    filters: row.filters,
    ...(row.template === null ? {} : { template: row.template }),
    ...(row.template_id === null ? {} : { templateId: row.template_id }),
    media: row.media,
    ...(row.group_ref === null ? {} : { phoneNumberFilter: { group: { id: row.group_ref } } }),
    ...(row.schedule === null ? {} : { schedule: row.schedule }),
    ...(row.reporting === null ? {} : { reporting: row.reporting }),
    fieldMappings: row.field_mappings,
    paused: row.paused
  }
}

/**
 * Checks a whole campaign (a new one, or a stored one with changes laid over it) and answers its
 * columns. What a run would refuse anyway (a broken template, a group the saver cannot use, a list
 * that does not exist, a schedule that never fires) is refused when saved.
 */
async function settle(
  db: DbOrTx,
  principal: Principal,
  campaign: CampaignRequestShape
): Promise<Omit<CampaignValues, 'id' | 'created_by'>> {
  const { accountId } = principal
  if (campaign.template !== undefined) orThrow(templateRefusal(campaign.template)?.about('body.template:'))
  else if (campaign.templateId !== undefined) await getTemplate(db, accountId, campaign.templateId)
  else throw new ApiError('CAMP-002', 'body.template (the text) or body.templateId (a saved template) is required')
  const groupRef = campaign.phoneNumberFilter?.group?.id
  if (groupRef !== undefined) await assertCanUseGroup(db, principal, groupRef)
  const filters = normalizeFilters(campaign.filters ?? {})
  if (filters.list !== undefined) await requireList(db, accountId, filters.list)
  const trigger = campaign.trigger?.code ?? 'M'
  const schedule = campaign.schedule ?? null
  if (trigger === 'S' && schedule === null)
    throw new ApiError('CAMP-003', 'A scheduled (S) campaign needs schedule.cron (and schedule.timezone, default UTC)')
  const next = schedule === null ? null : orThrow(nextRun(schedule.cron, schedule.timezone, new Date()))
  const actor = actorOf(principal)
  return {
    name: campaign.name,
    description: campaign.description ?? null,
    trigger_code: trigger,
    filters: JSON.stringify(filters),
    template: campaign.template ?? null,
    template_id: campaign.template === undefined ? (campaign.templateId ?? null) : null,
    media: JSON.stringify(campaign.media ?? []),
    group_ref: groupRef ?? null,
    schedule: schedule === null ? null : JSON.stringify(schedule),
    reporting: campaign.reporting === undefined ? null : JSON.stringify(campaign.reporting),
    field_mappings: JSON.stringify(campaign.fieldMappings ?? []),
    paused: campaign.paused ?? false,
    next_run_at: trigger === 'S' ? next : null,
    // Scheduled and uploaded runs act as whoever saved the campaign last, with their group access.
    run_as: JSON.stringify(principal),
    updated_by: actorJson(actor)
  }
}

export async function createCampaign(
  db: DbOrTx,
  principal: Principal,
  body: CampaignRequestShape
): Promise<CampaignRow> {
  const values = await settle(db, principal, body)
  return await insertCampaign(db, principal.accountId, {
    ...values,
    id: newId(),
    created_by: actorJson(actorOf(principal))
  })
}

export async function getCampaign(db: DbOrTx, accountId: string, campaignId: string): Promise<CampaignShape> {
  return await campaignView(db, accountId, await requireCampaign(db, accountId, campaignId))
}

export async function fetchCampaigns(
  db: DbOrTx,
  accountId: string,
  query: PageRequest & { name?: string }
): Promise<Page<CampaignShape>> {
  const page = await listCampaigns(db, accountId, query)
  const jobs = await campaignJobs(
    db,
    accountId,
    page.items.flatMap((row) => row.last_job_id ?? [])
  )
  const byId = new Map(jobs.map((job) => [job.id, job]))
  return {
    items: page.items.map((row) => toCampaign(row, row.last_job_id === null ? undefined : byId.get(row.last_job_id))),
    totalCount: page.totalCount
  }
}

export async function changeCampaign(
  db: Db,
  principal: Principal,
  campaignId: string,
  changes: CampaignUpdateShape
): Promise<CampaignShape> {
  const { accountId } = principal
  return await db.transaction().execute(async (tx) => {
    const current = await lockCampaign(tx, accountId, campaignId)
    if (!current) throw campaignNotFound(campaignId)
    const merged = { ...asRequest(current), ...changes }
    // A new text replaces a saved template, and a new saved template replaces the text.
    if (changes.templateId !== undefined && changes.template === undefined) delete merged.template
    const updated = await updateCampaign(tx, accountId, campaignId, await settle(tx, principal, merged))
    return await campaignView(tx, accountId, updated!)
  })
}

export async function removeCampaign(db: DbOrTx, accountId: string, campaignId: string): Promise<void> {
  if (!(await deleteCampaign(db, accountId, campaignId))) throw campaignNotFound(campaignId)
}

/** The send a run of the campaign makes: its audience, text, media and group. */
function sendRequest(campaign: CampaignRow, sendAt: string | undefined, uploaded: boolean): SendMessagesRequestShape {
  const { contacts, ...filters } = campaign.filters
  return {
    ...(contacts && !uploaded ? { contacts: contacts.map((id) => ({ id })) } : {}),
    filters,
    ...(campaign.template === null ? {} : { template: campaign.template }),
    ...(campaign.template_id === null ? {} : { templateId: campaign.template_id }),
    ...(campaign.media.length > 0 ? { media: campaign.media } : {}),
    ...(campaign.group_ref === null ? {} : { phoneNumberFilter: { group: { id: campaign.group_ref } } }),
    ...(sendAt === undefined ? {} : { sendAt })
  }
}

/**
 * One run: a send job through the send pipeline (opt-outs, duplicate guard, throughput, statuses),
 * recorded as the campaign's last job. `importRun` limits the audience to the contacts an upload wrote.
 */
export async function runCampaign(
  tx: Tx,
  deps: Deps,
  principal: Principal,
  campaign: CampaignRow,
  options: { sendAt?: string; importRun?: string } = {}
): Promise<SendMessagesResultShape> {
  const uploaded = options.importRun !== undefined
  const request = sendRequest(campaign, options.sendAt, uploaded)
  // Sakari's campaigns choose their audience by filters; one with none sends to every contact.
  const everyone = !uploaded && !hasFilters(request.filters) && (request.contacts?.length ?? 0) === 0
  const result = await sendWithin(
    tx,
    deps,
    principal,
    request,
    uploaded ? { importRun: options.importRun } : { everyone }
  )
  await updateCampaign(tx, campaign.account_id, campaign.id, { last_job_id: result.jobId })
  return result
}

/** POST …/campaigns/{id}/execute: runs an M (or S) campaign now; an Idempotency-Key makes a retry run nothing twice. */
export async function executeCampaign(
  deps: Deps,
  principal: Principal,
  campaignId: string,
  idempotencyKey: string | undefined
): Promise<Answer<{ success: true; data: CampaignJobShape }>> {
  const { accountId } = principal
  return await withIdempotencyKey(
    deps.db,
    principal,
    idempotencyKey,
    requestHash({ execute: campaignId }),
    async (tx) => {
      const campaign = await lockCampaign(tx, accountId, campaignId)
      if (!campaign) throw campaignNotFound(campaignId)
      if (campaign.trigger_code === 'FU')
        throw new ApiError(
          'CAMP-004',
          `Campaign ${campaignId} runs on uploaded files: POST …/campaigns/${campaignId}/upload`
        )
      const result = await runCampaign(tx, deps, principal, campaign)
      return { statusCode: 200, body: { success: true as const, data: await jobView(tx, accountId, result.jobId) } }
    }
  )
}

/** POST …/quickcampaigns: creates a manual campaign for the list and runs it, in one transaction. */
export async function quickCampaign(
  deps: Deps,
  principal: Principal,
  body: QuickCampaignRequestShape,
  idempotencyKey: string | undefined
): Promise<Answer<{ success: true; data: { campaign: CampaignShape; job: CampaignJobShape } }>> {
  const { accountId } = principal
  return await withIdempotencyKey(deps.db, principal, idempotencyKey, requestHash(body), async (tx) => {
    const created = await createCampaign(tx, principal, {
      name: body.name,
      trigger: { code: 'M' },
      filters: { list: body.listId },
      template: body.message.message,
      media: body.message.media ?? [],
      phoneNumberFilter: { group: { id: body.groupId } }
    })
    const result = await runCampaign(tx, deps, principal, created, { sendAt: body.sendAt })
    const campaign = await campaignView(tx, accountId, (await findCampaign(tx, accountId, created.id))!)
    return {
      statusCode: 201,
      body: { success: true as const, data: { campaign, job: await jobView(tx, accountId, result.jobId) } }
    }
  })
}

/**
 * Whoever last saved the campaign, as they are now: runs nobody asked for at that moment (schedules,
 * uploads) still need a live credential and a user who may run campaigns, with their current role.
 */
async function savedRunner(db: DbOrTx, campaign: CampaignRow): Promise<Principal> {
  const saved = campaign.run_as
  const credential = await findCredentialWithUser(db, saved.credentialId)
  const user = saved.user === undefined ? undefined : await findUser(db, saved.accountId, saved.user.id)
  const role = saved.user === undefined ? saved.role : user?.role
  if (!credential || credential.revoked_at !== null || (saved.user !== undefined && !user) || !isCampaignManager(role))
    throw new ApiError(
      'ACCT-016',
      `Campaign ${campaign.id} was last saved by a credential or user that may no longer run campaigns; save it again to run it`
    )
  if (!user) return saved
  const { id, email, first_name: firstName, last_name: lastName } = user
  return { ...saved, role: user.role, user: { id, email, firstName, lastName, role: user.role } }
}

const isCampaignManager = (role: string | undefined) =>
  role !== undefined && (CAMPAIGN_MANAGERS as readonly string[]).includes(role)

/** After an uploaded file's contacts are written: the file-upload campaign's run over exactly them. */
export async function runUploadedCampaign(
  tx: Tx,
  deps: Deps,
  accountId: string,
  campaignId: string,
  importRun: string
): Promise<CampaignJobShape | undefined> {
  const campaign = await lockCampaign(tx, accountId, campaignId)
  if (!campaign || campaign.trigger_code !== 'FU') return undefined
  const result = await runCampaign(tx, deps, await savedRunner(tx, campaign), campaign, { importRun })
  return await jobView(tx, accountId, result.jobId)
}

/**
 * Runs every scheduled campaign whose tick is due. Each run claims its tick (claimTick) in the
 * transaction that writes the send, so two schedulers seeing the same tick run it once, and a crash
 * before commit leaves the tick due for the next pass. A run the campaign's own settings refuse
 * (an audience gone, a template deleted) skips the tick instead of failing every minute.
 */
export async function runDueCampaigns(deps: Deps, now = new Date(), batch = 100): Promise<number> {
  let ran = 0
  for (;;) {
    const dueNow = await dueCampaigns(deps.db, now, batch)
    for (const due of dueNow) ran += await runTick(deps, due, now)
    // Every tick seen was claimed here or elsewhere, so the next read starts past them.
    if (dueNow.length < batch) return ran
  }
}

async function runTick(deps: Deps, due: CampaignRow, now: Date): Promise<number> {
  const schedule = due.schedule!
  const next = nextRun(schedule.cron, schedule.timezone, now)
  const claim = (tx: Tx) => claimTick(tx, due.account_id, due.id, due.next_run_at!, next instanceof Date ? next : null)
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const campaign = await claim(tx)
      if (!campaign) return 0
      await runCampaign(tx, deps, await savedRunner(tx, campaign), campaign)
      return 1
    })
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    await deps.db.transaction().execute(claim)
    deps.log.warn(
      { accountId: due.account_id, campaignId: due.id, code: error.code, reason: error.message },
      'scheduled campaign run refused'
    )
    return 0
  }
}
