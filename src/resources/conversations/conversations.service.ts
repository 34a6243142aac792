import type { Db, DbOrTx, Tx } from '../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors/api-error.ts'
import type { Page } from '../../shared/pagination.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { recordEvent } from '../events/events.repository.ts'
import { lockContact } from '../contacts/contacts.repository.ts'
import { changeContactIn } from '../contacts/contacts.service.ts'
import { assertCanUseGroup, groupsUsableBy, usableGroupIdsQuery } from '../groups/group-access.ts'
import { isGroupMember } from '../groups/groups.repository.ts'
import { queueMail } from '../mail/mail.service.ts'
import { findUser } from '../users/users.repository.ts'
import { messageViews } from '../messages/messages.repository.ts'
import { toMessage } from '../messages/messages.mapper.ts'
import {
  closeConversationRow,
  findConversationView,
  listConversations,
  markRead,
  otherGroupsShowingAssignee
} from './conversations.repository.ts'
import type { ConversationView } from './conversations.table.ts'
import type { ConversationShape, ConversationsQueryShape } from './conversations.schemas.ts'
import { toConversation } from './conversations.mapper.ts'

/** API shapes of conversation views, each with its last message. */
async function withLastMessages(
  db: DbOrTx,
  accountId: string,
  views: readonly ConversationView[]
): Promise<ConversationShape[]> {
  const lastMessages = await messageViews(
    db,
    accountId,
    views.flatMap((view) => view.last_message_id ?? [])
  )
  const byId = new Map(lastMessages.map((view) => [view.id, toMessage(view)]))
  return views.map((view) => toConversation(view, view.last_message_id ? byId.get(view.last_message_id) : undefined))
}

export async function requireConversationView(
  db: DbOrTx,
  principal: Principal,
  conversationId: string
): Promise<ConversationView> {
  const view = await findConversationView(db, principal.accountId, conversationId, usableGroupIdsQuery(db, principal))
  if (!view) throw new ApiError('CONV-001', `Conversation ${conversationId} not found`)
  return view
}

export async function getConversation(
  db: DbOrTx,
  principal: Principal,
  conversationId: string
): Promise<ConversationShape> {
  const [conversation] = await withLastMessages(db, principal.accountId, [
    await requireConversationView(db, principal, conversationId)
  ])
  return conversation!
}

export async function fetchConversations(
  db: DbOrTx,
  principal: Principal,
  query: ConversationsQueryShape
): Promise<Page<ConversationShape>> {
  const { group, assignedUserId, ...filter } = query
  const groupId = group === undefined ? undefined : (await assertCanUseGroup(db, principal, group)).id
  const page = await listConversations(db, principal, usableGroupIdsQuery(db, principal), {
    ...filter,
    ...(groupId ? { groupId } : {}),
    ...(assignedUserId !== undefined ? { assignedUserId: assigneeFilter(principal, assignedUserId) } : {})
  })
  return { items: await withLastMessages(db, principal.accountId, page.items), totalCount: page.totalCount }
}

/** `me` is the acting user, `none` the unassigned; anything else a user id. */
function assigneeFilter(principal: Principal, given: string): string | null {
  if (given === 'none') return null
  if (given !== 'me') return given
  if (!principal.user)
    throw new ApiError(
      'CONV-004',
      'assignedUserId=me needs an acting user: a user-bound credential, or X-Parley-User-Email'
    )
  return principal.user.id
}

/** Closing an open conversation archives it (event conversation-closed); closing a closed one changes nothing. */
export async function closeConversation(
  db: Db,
  principal: Principal,
  conversationId: string
): Promise<ConversationShape> {
  await db.transaction().execute(async (tx) => {
    await requireConversationView(tx, principal, conversationId)
    if (await closeConversationRow(tx, principal.accountId, conversationId, actorOf(principal))) {
      await recordEvent(
        tx,
        principal.accountId,
        'conversation-closed',
        await getConversation(tx, principal, conversationId)
      )
    }
  })
  return await getConversation(db, principal, conversationId)
}

export async function readConversation(
  db: Db,
  principal: Principal,
  conversationId: string
): Promise<ConversationShape> {
  if (!principal.user)
    throw new ApiError(
      'CONV-002',
      'Reading a conversation needs an acting user: a user-bound credential, or X-Parley-User-Email'
    )
  const userId = principal.user.id
  await db.transaction().execute(async (tx) => {
    const view = await requireConversationView(tx, principal, conversationId)
    await markRead(tx, conversationId, userId)
    await recordEvent(tx, principal.accountId, 'conversation-read', {
      id: conversationId,
      group: { id: view.group_id },
      user: { id: userId }
    })
  })
  return await getConversation(db, principal, conversationId)
}

/**
 * Mails the new assignee, in the assigning transaction, when someone else handed them the
 * conversation and they chose to hear of it (notifyOnAssignment). Assigning oneself, or assigning
 * again whom it already was, writes nothing.
 */
async function mailAssignee(
  tx: Tx,
  deps: Pick<Deps, 'queue' | 'config'>,
  principal: Principal,
  view: ConversationView,
  userId: string,
  actor: ActorShape
): Promise<void> {
  if (userId === principal.user?.id || userId === view.assigned_user?.id) return
  const assignee = await findUser(tx, principal.accountId, userId)
  if (!assignee?.notify_on_assignment) return
  await queueMail(tx, deps, {
    accountId: principal.accountId,
    to: assignee.email,
    kind: 'conversation-assigned',
    data: {
      recipientName: `${assignee.first_name} ${assignee.last_name}`.trim() || assignee.email,
      conversationId: view.id,
      contactName: [view.contact_first_name, view.contact_last_name].filter(Boolean).join(' ') || view.contact_mobile,
      groupName: view.group_name,
      assignedBy: actor.name ?? actor.id
    }
  })
}

/**
 * The conversation's assignee is its contact's assigned user (as contacts and imports set it) where
 * that user is a member of the conversation's group, so assigning here changes the contact (event
 * contact-updated) and announces conversation-assigned. The assignee must be a member of the
 * conversation's group (CONV-003). The contact's assignee also shows in its conversations of other
 * groups of which the old or the new assignee is a member: the caller must work in each of those
 * too (CONV-005), or assigning through one group would assign or unassign in another.
 */
export async function assignConversation(
  { db, queue, config }: Pick<Deps, 'db' | 'queue' | 'config'>,
  principal: Principal,
  conversationId: string,
  userId: string | null
): Promise<ConversationShape> {
  await db.transaction().execute(async (tx) => {
    const view = await requireConversationView(tx, principal, conversationId)
    if (
      userId !== null &&
      (view.group_id === null || !(await isGroupMember(tx, principal.accountId, view.group_id, userId)))
    )
      throw new ApiError('CONV-003', `User ${userId} is not a member of the conversation's group`)
    // The lock keeps the assignee read here current until the change commits.
    const contact = await lockContact(tx, principal.accountId, view.contact_id)
    if (!contact) throw new ApiError('CONV-001', `Conversation ${conversationId} not found`)
    const before = contact.assigned_user_id
    if (before !== userId && view.group_id !== null) {
      const usable = await groupsUsableBy(tx, principal)
      const shown = await otherGroupsShowingAssignee(
        tx,
        principal.accountId,
        contact.id,
        view.group_id,
        [before, userId].flatMap((id) => id ?? [])
      )
      if (usable !== 'all' && shown.some((groupId) => !usable.includes(groupId)))
        throw new ApiError(
          'CONV-005',
          "The contact's assignment also shows in a group you do not work in: someone who works there, or an Administrator's account-wide credential, can change it"
        )
    }
    const actor = actorOf(principal)
    await changeContactIn(
      tx,
      principal.accountId,
      view.contact_id,
      { assigned_user_id: userId },
      'contact-updated',
      actor
    )
    await recordEvent(tx, principal.accountId, 'conversation-assigned', {
      id: conversationId,
      group: { id: view.group_id },
      contact: { id: view.contact_id },
      assignedUser: userId === null ? null : { id: userId },
      by: actor
    })
    if (userId !== null) await mailAssignee(tx, { queue, config }, principal, view, userId, actor)
  })
  return await getConversation(db, principal, conversationId)
}
