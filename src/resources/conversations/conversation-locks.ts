import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors/api-error.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import { recordEvent } from '../events/events.repository.ts'
import { clearLock, lockedHolder, takeLock } from './conversation-locks.repository.ts'
import { lockedMessage } from './lock-message.ts'
import type { ConversationShape } from './conversations.schemas.ts'
import { getConversation, requireConversationView } from './conversations.service.ts'

function needUser(principal: Principal): string {
  if (!principal.user)
    throw new ApiError(
      'LOCK-002',
      'Taking a conversation lock needs an acting user: a user-bound credential, or X-Parley-User-Email'
    )
  return principal.user.id
}

/**
 * Takes the lock for the acting user, or extends it when they already hold it (a heartbeat while
 * they type or read). Another user's lock that has not lapsed is refused with LOCK-001.
 */
export async function takeConversationLock(
  deps: Pick<Deps, 'db' | 'config'>,
  principal: Principal,
  conversationId: string
): Promise<ConversationShape> {
  const userId = needUser(principal)
  return await deps.db.transaction().execute(async (tx) => {
    const view = await requireConversationView(tx, principal, conversationId)
    const taken = await takeLock(tx, principal.accountId, conversationId, userId, deps.config.inbox.lockSeconds)
    if (!taken) {
      const held = await lockedHolder(tx, principal.accountId, conversationId)
      // The holder's lock can lapse between the two statements; then the caller may simply try again.
      throw new ApiError(
        'LOCK-001',
        held ? lockedMessage(held) : `Conversation ${conversationId} was locked; try again`
      )
    }
    const conversation = await getConversation(tx, principal, conversationId)
    await recordEvent(tx, principal.accountId, taken.taken ? 'conversation-locked' : 'conversation-lock-extended', {
      id: conversationId,
      group: { id: view.group_id },
      lock: conversation.lock,
      by: actorOf(principal)
    })
    return conversation
  })
}

/**
 * Releases the lock. Its holder releases it; anyone else is refused (LOCK-001) unless an Administrator
 * asks to break it, which is recorded as the conversation's update and announced with `broken: true`.
 * Releasing a conversation nobody holds changes nothing.
 */
export async function releaseConversationLock(
  deps: Pick<Deps, 'db'>,
  principal: Principal,
  conversationId: string,
  breakLock: boolean
): Promise<ConversationShape> {
  return await deps.db.transaction().execute(async (tx) => {
    const view = await requireConversationView(tx, principal, conversationId)
    const held = await lockedHolder(tx, principal.accountId, conversationId)
    if (!held) return await getConversation(tx, principal, conversationId)
    const broken = held.user.id !== principal.user?.id
    if (broken && !breakLock) throw new ApiError('LOCK-001', lockedMessage(held))
    if (broken && principal.role !== 'Administrator')
      throw new ApiError('ACCT-016', "Only an Administrator may break another user's lock")
    await clearLock(tx, principal.accountId, conversationId, actorOf(principal))
    await recordEvent(tx, principal.accountId, 'conversation-lock-released', {
      id: conversationId,
      group: { id: view.group_id },
      lock: null,
      released: { user: held.user, expiresAt: held.expires_at.toISOString() },
      ...(broken ? { broken: true } : {}),
      by: actorOf(principal)
    })
    return await getConversation(tx, principal, conversationId)
  })
}
