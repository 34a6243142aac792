import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import type { Tx } from '../../../db/database.ts'
import type { Deps } from '../../../deps.ts'
import { ApiError } from '../../../errors/api-error.ts'
import { enqueueExpansion } from '../../../jobs/messages-expand.contract.ts'
import { priceOf, rateFor, type PriceTable } from '../../../lib/pricing.ts'
import { orThrow } from '../../../errors/refusal.ts'
import { compileTemplate, templateRefusal, type CompiledTemplate } from '../../../lib/render-template.ts'
import { countSegments } from '../../../lib/segments.ts'
import { newId } from '../../../shared/ids.ts'
import { actorOf, type Principal } from '../../../shared/principal.ts'
import { Actor } from '../../../shared/schemas.ts'
import { findConversations } from '../../conversations/conversations.repository.ts'
import { assertCanUseGroup, defaultGroupFor, usableGroupIdsQuery } from '../../groups/group-access.ts'
import { listGroupSenders } from '../../senders/senders.repository.ts'
import type { SenderRow } from '../../senders/senders.table.ts'
import { getTemplate } from '../../templates/templates.service.ts'
import { messageViews } from '../messages.repository.ts'
import {
  StoredMedia,
  SendFilters,
  type SendMessagesRequestShape,
  type SendMessagesResultShape
} from '../messages.schemas.ts'
import { toMessage } from '../messages.mapper.ts'
import type { MessageMedia } from '../messages.table.ts'
import { composeMessages, type Composition } from './compose.service.ts'
import { requestHash, withIdempotencyKey, type Answer } from './idempotency.service.ts'
import { countFiltered, filterCondition, nextFiltered } from '../../audience/audience.repository.ts'
import { hasFilters, resolveContacts, resolveConversations, type Recipient } from './recipients.service.ts'
import {
  advanceSendJob,
  completeSendJob,
  insertSendJob,
  lockSendJob,
  setSendJobCounts
} from './send-jobs.repository.ts'

/** What the background expansion needs to carry on where the request stopped: stored as send_jobs.request. */
const ExpansionPlan = Type.Object({
  filters: SendFilters,
  templateText: Type.String(),
  type: Type.Enum(['SMS', 'MMS']),
  media: Type.Array(StoredMedia),
  sendAt: Type.Union([Type.String(), Type.Null()]),
  userId: Type.Union([Type.String(), Type.Null()]),
  actor: Actor,
  /** A file-upload campaign's run: only the contacts that upload wrote. */
  importRun: Type.Optional(Type.String())
})
type ExpansionPlan = Static<typeof ExpansionPlan>

function compile(text: string): CompiledTemplate {
  orThrow(templateRefusal(text)?.about('template:'))
  return compileTemplate(text)
}

function composition(
  accountId: string,
  groupId: string | null,
  senders: SenderRow[],
  plan: ExpansionPlan,
  jobId: string
): Composition {
  return {
    accountId,
    groupSenders: senders,
    groupId,
    templateText: plan.templateText,
    template: compile(plan.templateText),
    type: plan.type,
    media: plan.media,
    sendAt: plan.sendAt === null ? null : new Date(plan.sendAt),
    origin: { jobId, userId: plan.userId, actor: plan.actor },
    respectLocks: true
  }
}

/** The price of `count` more messages like the template, at the rate of the group's first active sender. */
function estimate(plan: ExpansionPlan, senders: readonly SenderRow[], prices: PriceTable, count: number): number {
  const sender = senders.find((candidate) => candidate.status === 'active')
  if (!sender || count === 0) return 0
  const { segments } = countSegments(compile(plan.templateText).render({}))
  return priceOf(segments * count, rateFor(prices, sender.type, sender.country ?? undefined))
}

/** One send in the caller's transaction: POST …/messages, and every campaign run. */
export async function sendWithin(
  tx: Tx,
  deps: Deps,
  principal: Principal,
  body: SendMessagesRequestShape,
  audience: { importRun?: string; everyone?: boolean } = {}
): Promise<SendMessagesResultShape> {
  const { accountId } = principal
  const { messaging } = deps.config
  const wantsFilter = hasFilters(body.filters) || audience.importRun !== undefined || audience.everyone === true
  const contacts = body.contacts ?? []
  const conversationIds = body.conversations ?? []
  if (contacts.length === 0 && conversationIds.length === 0 && !wantsFilter) throw new ApiError('MSG-003')

  const saved = body.templateId === undefined ? undefined : await getTemplate(tx, accountId, body.templateId)
  const templateText = body.template ?? saved?.template
  if (templateText === undefined)
    throw new ApiError('REQ-001', 'body.template is required (or templateId naming a saved template)')
  const media: MessageMedia[] = body.media ?? saved?.media ?? []
  const plan: ExpansionPlan = {
    filters: body.filters ?? {},
    templateText,
    type: body.type ?? (media.length > 0 ? 'MMS' : 'SMS'),
    media,
    sendAt: body.sendAt === undefined ? null : new Date(body.sendAt).toISOString(),
    userId: principal.user?.id ?? null,
    actor: actorOf(principal),
    ...audience
  }
  // A template that cannot render is refused before anything is written (TMPL-002).
  compile(templateText)

  const needsGroup = contacts.length > 0 || wantsFilter
  const groupRef = body.phoneNumberFilter?.group?.id
  const group =
    groupRef !== undefined
      ? await assertCanUseGroup(tx, principal, groupRef)
      : needsGroup
        ? await defaultGroupFor(tx, principal)
        : undefined
  if (needsGroup && !group) throw new ApiError('MSG-004')
  const groupId = group?.id ?? null
  const senders = groupId === null ? [] : await listGroupSenders(tx, accountId, groupId)

  const visible = await findConversations(tx, accountId, conversationIds, usableGroupIdsQuery(tx, principal))
  const jobId = newId()
  // A reply-only send belongs to the inbox of the conversation it answers.
  await insertSendJob(tx, accountId, {
    id: jobId,
    groupId: groupId ?? visible[0]?.group_id ?? null,
    request: plan,
    actor: plan.actor
  })

  const byContact = await resolveContacts(tx, accountId, contacts, plan.actor)
  const byConversation = await resolveConversations(tx, accountId, conversationIds, visible)
  const recipients: Recipient[] = [...byContact.recipients, ...byConversation.recipients]
  let matched = 0
  let background = 0
  if (wantsFilter) {
    const condition = await filterCondition(tx, accountId, plan.filters, plan.importRun)
    const matching = await nextFiltered(tx, accountId, condition, null, messaging.syncMaxRecipients + 1)
    if (matching.length <= messaging.syncMaxRecipients) {
      recipients.push(...matching.map((contact) => ({ contact })))
      matched = matching.length
    } else {
      background = await countFiltered(tx, accountId, condition)
    }
  }
  const requested = contacts.length + conversationIds.length + matched + background

  const composed = await composeMessages(tx, deps, composition(accountId, groupId, senders, plan, jobId), recipients)
  const invalid = [...byContact.invalid, ...byConversation.invalid, ...composed.invalid]
  // A reply to one conversation that someone else is answering is refused outright; a larger send
  // reports the locked ones among its invalid recipients and sends to the rest.
  const [onlyRefusal] = invalid
  if (requested === 1 && onlyRefusal?.error.code === 'LOCK-001')
    throw new ApiError('LOCK-001', onlyRefusal.error.description)
  const estimatedPrice = priceOf(1, composed.price + estimate(plan, senders, messaging.prices, background))
  const status = background > 0 ? 'expanding' : 'completed'
  if (background > 0) await enqueueExpansion(tx, deps.queue, { accountId, jobId })
  await setSendJobCounts(tx, accountId, jobId, {
    status,
    requested,
    valid: composed.messageIds.length,
    invalid: invalid.length,
    estimatedPrice
  })
  return {
    requested,
    valid: composed.messageIds.length,
    invalid,
    messages: (await messageViews(tx, accountId, composed.messageIds)).map(toMessage),
    estimatedPrice,
    jobId,
    status
  }
}

/** POST …/messages: one transaction (with the Idempotency-Key claimed first, when given). */
export async function sendMessages(
  deps: Deps,
  principal: Principal,
  body: SendMessagesRequestShape,
  idempotencyKey: string | undefined
): Promise<Answer<{ success: true; data: SendMessagesResultShape }>> {
  return await withIdempotencyKey(deps.db, principal, idempotencyKey, requestHash(body), async (tx) => ({
    statusCode: 200,
    body: { success: true as const, data: await sendWithin(tx, deps, principal, body) }
  }))
}

/**
 * Adds the next batch of a large send's matching contacts, in one transaction with the job's
 * cursor, so a crash resumes after the last committed batch. Answers whether the job is done.
 */
export async function expandNextBatch(deps: Deps, accountId: string, jobId: string): Promise<boolean> {
  return await deps.db.transaction().execute(async (tx) => {
    const job = await lockSendJob(tx, accountId, jobId)
    if (!job || job.status !== 'expanding') return true
    const plan = Value.Parse(ExpansionPlan, job.request)
    const condition = await filterCondition(tx, accountId, plan.filters, plan.importRun)
    const batch = await nextFiltered(tx, accountId, condition, job.cursor, deps.config.messaging.sendBatchSize)
    if (batch.length === 0) {
      await completeSendJob(tx, accountId, jobId)
      return true
    }
    const senders = job.group_id === null ? [] : await listGroupSenders(tx, accountId, job.group_id)
    const composed = await composeMessages(
      tx,
      deps,
      composition(accountId, job.group_id, senders, plan, jobId),
      batch.map((contact) => ({ contact }))
    )
    await advanceSendJob(tx, accountId, jobId, {
      cursor: batch.at(-1)!.id,
      valid: composed.messageIds.length,
      invalid: composed.invalid.length
    })
    return false
  })
}
