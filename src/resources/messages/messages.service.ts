import type { FastifyInstance } from 'fastify'
import type { MessagingOptions } from '../../config.ts'
import type { Db, DbOrTx, Tx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { priceOf, rateFor } from '../../lib/pricing.ts'
import { compileTemplate, TemplateSyntaxError, type CompiledTemplate } from '../../lib/render-template.ts'
import { countSegments } from '../../lib/segments.ts'
import { enqueueInTransaction } from '../../plugins/queue.ts'
import { audit } from '../../shared/audit.ts'
import { newId } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { findConversations } from '../conversations/conversations.repository.ts'
import { assertCanUseGroup, defaultGroupFor, usableGroupIdsQuery } from '../groups/group-access.ts'
import type { SenderRow } from '../senders/senders.table.ts'
import { getTemplate } from '../templates/templates.service.ts'
import { composeMessages, type Composition, type Outbox } from './compose.ts'
import { EXPAND_TASK } from './dispatch-queue.ts'
import { requestHash, withIdempotencyKey, type Answer } from './idempotency.ts'
import { findMessageView, listMessages, messageViews } from './messages.repository.ts'
import {
  toMessage,
  type MessageShape,
  type MessagesQueryShape,
  type SendFiltersShape,
  type SendJobShape,
  type SendMessagesRequestShape,
  type SendMessagesResultShape
} from './messages.schemas.ts'
import type { MessageMedia, MessageType } from './messages.table.ts'
import {
  countFiltered,
  filterCondition,
  hasFilters,
  nextFiltered,
  resolveContacts,
  resolveConversations,
  type Recipient
} from './recipients.ts'

export function messagingOf(app: FastifyInstance, options: MessagingOptions): Messaging {
  return {
    db: app.db,
    outbox: { boss: app.queue, prices: options.prices, dispatchBatchSize: options.dispatchBatchSize },
    syncMaxRecipients: options.syncMaxRecipients,
    sendBatchSize: options.sendBatchSize
  }
}

export interface Messaging {
  db: Db
  outbox: Outbox
  /** Filters matching more contacts than this are expanded by a background job. */
  syncMaxRecipients: number
  /** Recipients per transaction of the background expansion. */
  sendBatchSize: number
}

/** What the background expansion needs to carry on where the request stopped. */
interface ExpansionPlan {
  filters: SendFiltersShape
  templateText: string
  type: MessageType
  media: MessageMedia[]
  sendAt: string | null
  userId: string | null
  actor: ActorShape
}

function compile(text: string): CompiledTemplate {
  try {
    return compileTemplate(text)
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw new ApiError('TMPL-002', `template: ${error.detail}`)
    throw error
  }
}

async function groupSenders(db: DbOrTx, accountId: string, groupId: string | null): Promise<SenderRow[]> {
  if (groupId === null) return []
  return await db
    .selectFrom('senders')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('group_id', '=', groupId)
    .where('deleted_at', 'is', null)
    .execute()
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
    origin: { jobId, userId: plan.userId, actor: plan.actor }
  }
}

/** The price of `count` more messages like the template, at the rate of the group's first active sender. */
function estimate(plan: ExpansionPlan, senders: readonly SenderRow[], prices: Outbox['prices'], count: number): number {
  const sender = senders.find((candidate) => candidate.status === 'active')
  if (!sender || count === 0) return 0
  const { segments } = countSegments(compile(plan.templateText).render({}))
  return priceOf(segments * count, rateFor(prices, sender.type, sender.country ?? undefined))
}

async function send(
  tx: Tx,
  messaging: Messaging,
  principal: Principal,
  body: SendMessagesRequestShape
): Promise<SendMessagesResultShape> {
  const { accountId } = principal
  const wantsFilter = hasFilters(body.filters)
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
    actor: actorOf(principal)
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
  const senders = await groupSenders(tx, accountId, groupId)

  const visible = await findConversations(tx, accountId, conversationIds, usableGroupIdsQuery(tx, principal))
  const jobId = newId()
  // A reply-only send belongs to the inbox of the conversation it answers.
  const jobGroupId = groupId ?? visible[0]?.group_id ?? null
  await tx
    .insertInto('send_jobs')
    .values({
      id: jobId,
      account_id: accountId,
      group_id: jobGroupId,
      status: 'expanding',
      request: JSON.stringify(plan),
      created_by: JSON.stringify(plan.actor)
    })
    .execute()

  const byContact = await resolveContacts(tx, accountId, contacts, plan.actor)
  const byConversation = await resolveConversations(tx, accountId, conversationIds, visible)
  const recipients: Recipient[] = [...byContact.recipients, ...byConversation.recipients]
  let matched = 0
  let background = 0
  if (wantsFilter) {
    const condition = await filterCondition(tx, accountId, plan.filters)
    const matching = await nextFiltered(tx, accountId, condition, null, messaging.syncMaxRecipients + 1)
    if (matching.length <= messaging.syncMaxRecipients) {
      recipients.push(...matching)
      matched = matching.length
    } else {
      background = await countFiltered(tx, accountId, condition)
    }
  }
  const requested = contacts.length + conversationIds.length + matched + background

  const composed = await composeMessages(
    tx,
    messaging.outbox,
    composition(accountId, groupId, senders, plan, jobId),
    recipients
  )
  const invalid = [...byContact.invalid, ...byConversation.invalid, ...composed.invalid]
  const estimatedPrice = priceOf(1, composed.price + estimate(plan, senders, messaging.outbox.prices, background))
  const status = background > 0 ? 'expanding' : 'completed'
  if (background > 0) await enqueueInTransaction(messaging.outbox.boss, tx, EXPAND_TASK, { accountId, jobId })
  await tx
    .updateTable('send_jobs')
    .set({
      status,
      requested,
      valid: composed.messageIds.length,
      invalid: invalid.length,
      estimated_price: estimatedPrice
    })
    .where('account_id', '=', accountId)
    .where('id', '=', jobId)
    .execute()
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
  messaging: Messaging,
  principal: Principal,
  body: SendMessagesRequestShape,
  idempotencyKey: string | undefined
): Promise<Answer<{ success: true; data: SendMessagesResultShape }>> {
  return await withIdempotencyKey(messaging.db, principal.accountId, idempotencyKey, requestHash(body), async (tx) => ({
    statusCode: 200,
    body: { success: true as const, data: await send(tx, messaging, principal, body) }
  }))
}

/**
 * Adds the next batch of a large send's matching contacts, in one transaction with the job's
 * cursor, so a crash resumes after the last committed batch. Answers whether the job is done.
 */
export async function expandNextBatch(messaging: Messaging, accountId: string, jobId: string): Promise<boolean> {
  return await messaging.db.transaction().execute(async (tx) => {
    const job = await tx
      .selectFrom('send_jobs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', jobId)
      .forUpdate()
      .executeTakeFirst()
    if (!job || job.status !== 'expanding') return true
    const plan = job.request as ExpansionPlan
    const condition = await filterCondition(tx, accountId, plan.filters)
    const batch = await nextFiltered(tx, accountId, condition, job.cursor, messaging.sendBatchSize)
    if (batch.length === 0) {
      await tx
        .updateTable('send_jobs')
        .set({ status: 'completed', updated_at: new Date() })
        .where('account_id', '=', accountId)
        .where('id', '=', jobId)
        .execute()
      return true
    }
    const senders = await groupSenders(tx, accountId, job.group_id)
    const composed = await composeMessages(
      tx,
      messaging.outbox,
      composition(accountId, job.group_id, senders, plan, jobId),
      batch
    )
    await tx
      .updateTable('send_jobs')
      .set((eb) => ({
        cursor: batch.at(-1)!.contact.id,
        valid: eb('valid', '+', composed.messageIds.length),
        invalid: eb('invalid', '+', composed.invalid.length),
        updated_at: new Date()
      }))
      .where('account_id', '=', accountId)
      .where('id', '=', jobId)
      .execute()
    return false
  })
}

export async function getMessage(db: DbOrTx, principal: Principal, messageId: string): Promise<MessageShape> {
  const view = await findMessageView(db, principal.accountId, messageId, usableGroupIdsQuery(db, principal))
  if (!view) throw new ApiError('MSG-002', `Message ${messageId} not found`)
  return toMessage(view)
}

export async function fetchMessages(
  db: DbOrTx,
  principal: Principal,
  query: MessagesQueryShape
): Promise<Page<MessageShape>> {
  const { group, direction, ...filter } = query
  const groupId = group === undefined ? undefined : (await assertCanUseGroup(db, principal, group)).id
  const page = await listMessages(db, principal.accountId, usableGroupIdsQuery(db, principal), {
    ...filter,
    ...(groupId ? { groupId } : {}),
    ...(direction ? { outgoing: direction === 'outbound' } : {})
  })
  return { items: page.items.map(toMessage), totalCount: page.totalCount }
}

/** A send job of a group the principal works in. */
export async function getSendJob(db: DbOrTx, principal: Principal, jobId: string): Promise<SendJobShape> {
  let query = db
    .selectFrom('send_jobs')
    .selectAll()
    .where('account_id', '=', principal.accountId)
    .where('id', '=', jobId)
  const scope = usableGroupIdsQuery(db, principal)
  if (scope) query = query.where('group_id', 'in', scope)
  const job = await query.executeTakeFirst()
  if (!job) throw new ApiError('MSG-006', `Send job ${jobId} not found`)
  return {
    jobId: job.id,
    status: job.status,
    requested: job.requested,
    valid: job.valid,
    invalid: job.invalid,
    estimatedPrice: Number(job.estimated_price),
    created: audit(job.created_at, job.created_by)
  }
}
