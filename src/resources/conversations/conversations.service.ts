import type { Db, DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import type { Page } from '../../shared/pagination.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import { recordEvent } from '../events/events.repository.ts'
import { assertCanUseGroup, usableGroupIdsQuery } from '../groups/group-access.ts'
import { messageViews } from '../messages/messages.repository.ts'
import { toMessage } from '../messages/messages.schemas.ts'
import {
  closeConversationRow,
  findConversationView,
  listConversations,
  markRead,
  type ConversationView
} from './conversations.repository.ts'
import { toConversation, type ConversationShape, type ConversationsQueryShape } from './conversations.schemas.ts'

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

async function requireConversationView(
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
  const { group, ...filter } = query
  const groupId = group === undefined ? undefined : (await assertCanUseGroup(db, principal, group)).id
  const page = await listConversations(db, principal, usableGroupIdsQuery(db, principal), {
    ...filter,
    ...(groupId ? { groupId } : {})
  })
  return { items: await withLastMessages(db, principal.accountId, page.items), totalCount: page.totalCount }
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
  await requireConversationView(db, principal, conversationId)
  await markRead(db, conversationId, principal.user.id)
  return await getConversation(db, principal, conversationId)
}
