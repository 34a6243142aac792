import type { HeldLock } from './conversation-locks.repository.ts'

/** The refusal's text names who is replying and when their lock lapses, so the caller knows whom to ask. */
export function lockedMessage(held: HeldLock): string {
  const name = `${held.user.firstName} ${held.user.lastName}`.trim() || held.user.email
  return `Conversation ${held.conversation_id} is locked by ${name} (user ${held.user.id}) until ${held.expires_at.toISOString()}`
}
