import type { Tx } from '../../../db/database.ts'
import type { Deps } from '../../../deps.ts'
import { enqueueDispatch } from '../../../jobs/message-dispatch.contract.ts'
import { priceOf, rateFor } from '../../../lib/pricing.ts'
import type { CompiledTemplate } from '../../../lib/render-template.ts'
import { countSegments, overLengthLimit } from '../../../lib/segments.ts'
import { newId } from '../../../shared/ids.ts'
import type { ContactRow } from '../../contacts/contacts.table.ts'
import { extendOwnLocks, locksHeldByOthers } from '../../conversations/conversation-locks.repository.ts'
import { lockedMessage } from '../../conversations/lock-message.ts'
import { openConversations, type ConversationKey } from '../../conversations/conversations.repository.ts'
import { recordEvents } from '../../events/events.repository.ts'
import { findSendersByIds } from '../../senders/senders.repository.ts'
import type { SenderRow } from '../../senders/senders.table.ts'
import {
  insertMessages,
  recentDuplicates,
  takeTurnForTemplate,
  type MessageOrigin,
  type NewMessage
} from '../messages.repository.ts'
import type { InvalidRecipientShape } from '../messages.schemas.ts'
import type { MessageMedia, MessageType } from '../messages.table.ts'
import { invalidRecipient, type Recipient } from './recipients.service.ts'

/** Where composed messages go: the dispatch queue, at the configured prices and batch size. */
export type Outbox = Pick<Deps, 'queue' | 'config'>

/** What is sent, from where, to each recipient of one batch. */
export interface Composition {
  accountId: string
  /** The group's senders: a recipient gets the one whose dialling code starts its number. */
  groupSenders: readonly SenderRow[]
  groupId: string | null
  templateText: string
  template: CompiledTemplate
  type: MessageType
  media: MessageMedia[]
  /** In the future: the messages stay scheduled until then. */
  sendAt: Date | null
  origin: MessageOrigin
  /** Keyword replies: the STOP confirmation goes to a contact who has just opted out. */
  ignoreOptOut?: boolean
  /** Keyword replies answer every keyword, even the same one twice. */
  ignoreDuplicates?: boolean
  /**
   * Sends by people and API clients: a conversation locked by anyone but the sending user is
   * refused (LOCK-001), and the sender's own locks are extended. Parley's automatic replies skip this.
   */
  respectLocks?: boolean
}

export interface Composed {
  messageIds: string[]
  invalid: InvalidRecipientShape[]
  price: number
}

const unreachable = (contact: ContactRow) => contact.opted_out_at !== null || contact.blocked_at !== null

function who(recipient: Recipient) {
  return recipient.conversation
    ? { id: recipient.contact.id, conversation: { id: recipient.conversation.id } }
    : {
        id: recipient.contact.id,
        mobile: {
          number: recipient.contact.mobile,
          ...(recipient.contact.country ? { country: recipient.contact.country } : {})
        }
      }
}

async function sendersById(
  tx: Tx,
  accountId: string,
  recipients: readonly Recipient[],
  known: readonly SenderRow[]
): Promise<Map<string, SenderRow>> {
  const byId = new Map(known.map((sender) => [sender.id, sender]))
  const missing = [...new Set(recipients.flatMap((recipient) => recipient.conversation?.sender_id ?? []))].filter(
    (id) => !byId.has(id)
  )
  for (const sender of await findSendersByIds(tx, accountId, missing)) byId.set(sender.id, sender)
  return byId
}

/**
 * Drops the drafts whose conversation someone else has locked (invalid, LOCK-001) and extends the
 * sending user's own locks. Checked after the conversations are opened: the upsert holds their rows,
 * so a lock taken concurrently waits for this send to commit and never overlaps it.
 */
async function withoutLockedConversations<T extends { recipient: Recipient; sender: SenderRow }>(
  tx: Tx,
  outbox: Outbox,
  composition: Composition,
  drafts: readonly T[],
  conversationOf: ReadonlyMap<string, string>,
  invalid: InvalidRecipientShape[]
): Promise<T[]> {
  const userId = composition.origin.userId
  const ids = [...new Set(conversationOf.values())]
  const held = new Map(
    (await locksHeldByOthers(tx, composition.accountId, ids, userId)).map((lock) => [lock.conversation_id, lock])
  )
  const sendable = drafts.filter(({ recipient, sender }) => {
    const lock = held.get(conversationOf.get(`${recipient.contact.id}/${sender.id}`)!)
    if (lock) invalid.push(invalidRecipient('LOCK-001', lockedMessage(lock), who(recipient)))
    return !lock
  })
  if (userId !== null) {
    const { actor } = composition.origin
    const extended = await extendOwnLocks(tx, composition.accountId, ids, userId, outbox.config.inbox.lockSeconds)
    await recordEvents(
      tx,
      composition.accountId,
      extended.map((lock) => ({
        type: 'conversation-lock-extended',
        payload: {
          id: lock.id,
          group: { id: lock.group_id },
          lock: {
            user: { id: userId, firstName: actor.firstName ?? '', lastName: actor.lastName ?? '' },
            expiresAt: lock.expires_at.toISOString()
          },
          by: actor
        }
      }))
    )
  }
  return sendable
}

/**
 * Validates, renders and prices one batch of recipients, then writes their messages, opens their
 * conversations and enqueues their dispatch, all in the caller's transaction and in a fixed number
 * of statements however large the batch.
 */
export async function composeMessages(
  tx: Tx,
  outbox: Outbox,
  composition: Composition,
  recipients: readonly Recipient[]
): Promise<Composed> {
  const invalid: InvalidRecipientShape[] = []
  const senders = await sendersById(tx, composition.accountId, recipients, composition.groupSenders)
  const seen = new Set<string>()
  const drafts: Array<{
    recipient: Recipient
    sender: SenderRow
    body: string
    segments: number
    encoding: NewMessage['encoding']
  }> = []
  for (const recipient of recipients) {
    const { contact } = recipient
    if (seen.has(contact.id)) {
      invalid.push(
        invalidRecipient('MSG-024', 'Duplicate: the contact is already a recipient of this send', who(recipient))
      )
      continue
    }
    seen.add(contact.id)
    if (unreachable(contact) && !composition.ignoreOptOut) {
      invalid.push(invalidRecipient('CONT-010', 'Contact has requested no further communication', who(recipient)))
      continue
    }
    const sender = recipient.conversation
      ? senders.get(recipient.conversation.sender_id)
      : composition.groupSenders.find((candidate) => contact.mobile.startsWith(candidate.dialling_code))
    if (
      !sender ||
      sender.status !== 'active' ||
      sender.deleted_at !== null ||
      (composition.type === 'MMS' && !sender.capabilities.includes('MMS'))
    ) {
      const reason = sender
        ? `the sender ${sender.number} cannot send ${composition.type} now`
        : `no sender in the group for ${contact.mobile}`
      invalid.push(invalidRecipient('MSG-001', `No available phone number to send from: ${reason}`, who(recipient)))
      continue
    }
    const body = composition.template.render({
      firstName: recipient.fields?.firstName ?? contact.first_name,
      lastName: recipient.fields?.lastName ?? contact.last_name,
      email: recipient.fields?.email ?? contact.email,
      mobile: { number: contact.mobile, country: contact.country },
      attributes: { ...contact.attributes, ...recipient.fields?.attributes }
    })
    const { segments, encoding } = countSegments(body)
    const tooLong = overLengthLimit(segments)
    if (tooLong) {
      invalid.push(invalidRecipient('MSG-007', tooLong, who(recipient)))
      continue
    }
    drafts.push({ recipient, sender, body, segments, encoding })
  }

  let duplicates = new Set<string>()
  if (!composition.ignoreDuplicates && drafts.length > 0) {
    await takeTurnForTemplate(tx, composition.accountId, composition.templateText)
    duplicates = await recentDuplicates(
      tx,
      composition.accountId,
      drafts.map((draft) => ({ contactId: draft.recipient.contact.id, body: draft.body }))
    )
  }
  const accepted = drafts.filter((draft) => {
    if (!duplicates.has(draft.recipient.contact.id)) return true
    invalid.push(
      invalidRecipient(
        'MSG-024',
        'Duplicate: the same text was sent to this contact within 30 minutes with no reply since',
        who(draft.recipient)
      )
    )
    return false
  })

  const keys = new Map<string, ConversationKey>()
  for (const { recipient, sender } of accepted) {
    keys.set(`${recipient.contact.id}/${sender.id}`, {
      contactId: recipient.contact.id,
      senderId: sender.id,
      groupId: recipient.conversation?.group_id ?? sender.group_id
    })
  }
  // Outbound never reopens a closed conversation, only inbound does (docs/api/conversations.md, "Conversations and the
  // inbox"): the archive stays as the group left it, and a send (even a reply to an archived thread)
  // starts a new conversation.
  const conversations = await openConversations(
    tx,
    composition.accountId,
    [...keys.values()],
    false,
    composition.origin.actor
  )
  const conversationOf = new Map(conversations.map((row) => [`${row.contact_id}/${row.sender_id}`, row.id]))
  const sendable = composition.respectLocks
    ? await withoutLockedConversations(tx, outbox, composition, accepted, conversationOf, invalid)
    : accepted
  await recordEvents(
    tx,
    composition.accountId,
    conversations
      .filter((row) => row.inserted)
      .map((row) => ({
        type: 'conversation-started',
        payload: {
          id: row.id,
          contact: { id: row.contact_id },
          phoneNumber: { id: row.sender_id },
          group: { id: keys.get(`${row.contact_id}/${row.sender_id}`)!.groupId }
        }
      }))
  )

  const scheduled = composition.sendAt !== null && composition.sendAt.getTime() > Date.now()
  const messages: NewMessage[] = sendable.map(({ recipient, sender, body, segments, encoding }) => ({
    id: newId(),
    conversationId: conversationOf.get(`${recipient.contact.id}/${sender.id}`)!,
    contactId: recipient.contact.id,
    senderId: sender.id,
    groupId: keys.get(`${recipient.contact.id}/${sender.id}`)!.groupId,
    carrier: sender.carrier,
    outgoing: true,
    status: scheduled ? 'scheduled' : 'queued',
    type: composition.type,
    body,
    template: composition.templateText,
    media: composition.media,
    segments,
    encoding,
    price: priceOf(
      segments,
      rateFor(outbox.config.messaging.prices, sender.type, recipient.contact.country ?? undefined)
    ),
    sendAt: scheduled ? composition.sendAt : null,
    carrierMessageId: null
  }))
  await insertMessages(tx, composition.accountId, messages, composition.origin)
  const throughputOf = new Map(sendable.map(({ sender }) => [sender.id, sender.throughput]))
  await enqueueDispatch(
    tx,
    outbox.queue,
    composition.accountId,
    messages.map((message) => ({ ...message, throughput: throughputOf.get(message.senderId) ?? null })),
    outbox.config.messaging.dispatchBatchSize
  )
  return {
    messageIds: messages.map((message) => message.id),
    invalid,
    price: messages.reduce((sum, message) => priceOf(1, sum + message.price), 0)
  }
}
