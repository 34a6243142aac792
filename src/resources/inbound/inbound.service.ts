import type { InboundMessage } from '../../carriers/carrier.ts'
import type { Tx } from '../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors/api-error.ts'
import { keywordOf, OPT_IN_CONFIRMATION, OPT_OUT_CONFIRMATION, type Keyword } from '../../lib/keywords.ts'
import { countSegments } from '../../lib/segments.ts'
import { newId } from '../../shared/ids.ts'
import { parsePhone } from '../../shared/phone.ts'
import { systemActor } from '../../shared/principal.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { awayPeriod } from '../../lib/office-hours.ts'
import { findAccount } from '../accounts/accounts.repository.ts'
import { upsertContacts, type ContactView } from '../contacts/contacts.repository.ts'
import { changeReachabilityIn } from '../contacts/contacts.service.ts'
import { toContact } from '../contacts/contacts.schemas.ts'
import type { ContactRow } from '../contacts/contacts.table.ts'
import {
  claimAwayReply,
  findConversations,
  openConversations,
  reopenConversation,
  type ConversationKey
} from '../conversations/conversations.repository.ts'
import { recordEvents, type DomainEvent } from '../events/events.repository.ts'
import { findKnownContact } from './inbound.repository.ts'
import { insertMessageView, messageViews, type InboundMessageView } from '../messages/messages.repository.ts'
import { toMessage, type MessageShape } from '../messages/messages.schemas.ts'
import { composeMessages } from '../messages/send/compose.ts'
import type { SenderRow } from '../senders/senders.table.ts'

export interface Received {
  message: MessageShape
  keyword?: Keyword
  /** The keyword's automatic answer, or the group's away message, when one was sent. */
  reply?: MessageShape
}

const contactActor = (contact: ContactRow): ActorShape => ({
  id: contact.id,
  name: contact.mobile,
  ...(contact.first_name ? { firstName: contact.first_name, lastName: contact.last_name ?? '' } : {}),
  source: 'contact'
})

/**
 * An inbound message to a sender: lands in the open conversation of the contact and sender
 * (reopened when closed, created when there is none) in the sender's group inbox, unread for its
 * members. STOP-family keywords opt the contact out account-wide, START/UNSTOP opt them back in,
 * HELP/INFO get the help text; each keyword gets one automatic answer through the normal dispatch
 * pipeline (README "Inbound messages and keywords").
 */
export async function receiveInbound(deps: Deps, sender: SenderRow, message: InboundMessage): Promise<Received> {
  const accountId = sender.account_id
  const from = parsePhone(message.from)
  if (!from) throw new ApiError('CONT-001', `Invalid mobile number ${message.from}`)
  return await deps.db.transaction().execute(async (tx) => {
    // The new contact's and thread's events wait for the message's, so the three are one insert.
    const events: DomainEvent[] = []
    const known = await findKnownContact(tx, accountId, from.e164, sender.id)
    const added = known ? undefined : await addContact(tx, accountId, from.e164, from.country ?? null)
    if (added?.inserted) events.push({ type: 'contact-created', payload: toContact(added) })
    let contact: ContactRow = known?.contact ?? added!
    const key = { contactId: contact.id, senderId: sender.id, groupId: sender.group_id }
    const openId = known?.openConversationId ?? null
    const conversation =
      openId === null
        ? await inboundConversation(tx, accountId, key, contactActor(contact), added?.inserted !== true)
        : { id: openId, inserted: false }
    const { reopened } = conversation
    if (conversation.inserted || reopened !== undefined) {
      // A reopened thread is back in the inbox, so subscribers that saw it close hear it start again.
      events.push({
        type: 'conversation-started',
        payload: {
          id: conversation.id,
          contact: { id: contact.id },
          phoneNumber: { id: sender.id },
          group: { id: sender.group_id },
          ...(reopened !== undefined ? { reopened: true } : {})
        }
      })
    }
    const { segments, encoding } = countSegments(message.text)
    const view = await insertMessageView(
      tx,
      accountId,
      {
        id: newId(),
        conversationId: conversation.id,
        contactId: contact.id,
        senderId: sender.id,
        groupId: sender.group_id,
        carrier: sender.carrier,
        outgoing: false,
        status: 'received',
        type: message.media.length > 0 ? 'MMS' : 'SMS',
        body: message.text,
        template: null,
        media: message.media,
        segments,
        encoding,
        price: 0,
        sendAt: null,
        carrierMessageId: message.carrierMessageId
      },
      { jobId: null, userId: null, actor: contactActor(contact) }
    )
    const received = toMessage(view)
    events.push({ type: 'message-received', payload: received })
    await recordEvents(tx, accountId, events)

    const keyword = keywordOf(message.text)
    if (!keyword) {
      const away = await awayReplyText(tx, view, conversation.id)
      const reply =
        away === undefined ? undefined : await sendReply(tx, deps, accountId, contact, conversation.id, away)
      return { message: received, ...(reply ? { reply } : {}) }
    }
    if (keyword !== 'help')
      contact = await changeReachabilityIn(tx, accountId, contact.id, keyword, contactActor(contact))
    const reply = await replyToKeyword(tx, deps, accountId, keyword, contact, conversation.id)
    return { message: received, keyword, ...(reply ? { reply } : {}) }
  })
}

/** A number that is no contact yet (or was not when findKnownContact looked) becomes one. */
async function addContact(
  tx: Tx,
  accountId: string,
  mobile: string,
  country: string | null
): Promise<ContactView & { inserted: boolean }> {
  const [written] = await upsertContacts(tx, accountId, [{ id: newId(), mobile, country }], 'keep', systemActor)
  return written!
}

/**
 * The conversation the message lands in when none is open (findKnownContact took the open one):
 * the reopened one, else a new one, or the open one a concurrent writer opened meanwhile. A
 * contact this transaction inserted has no conversation to reopen.
 */
async function inboundConversation(
  tx: Tx,
  accountId: string,
  key: ConversationKey,
  actor: ActorShape,
  mayReopen: boolean
): Promise<{ id: string; inserted: boolean; reopened?: string }> {
  const reopened = mayReopen ? await reopenConversation(tx, accountId, key, actor) : undefined
  const [conversation] = await openConversations(tx, accountId, [key], true, actor)
  return { id: conversation!.id, inserted: conversation!.inserted, ...(reopened !== undefined ? { reopened } : {}) }
}

/**
 * The group's away message, when its office hours say away and this conversation has not had it in
 * the current away period (README "The shared inbox").
 */
async function awayReplyText(
  tx: Tx,
  { group_office_hours: hours, group_updated_at: since }: InboundMessageView,
  conversationId: string
): Promise<string | undefined> {
  if (hours === null || since === null || hours.message.trim() === '') return undefined
  const period = awayPeriod(hours, new Date(), since)
  if (period === undefined || !(await claimAwayReply(tx, conversationId, period))) return undefined
  return hours.message
}

async function helpTextOf(tx: Tx, accountId: string, defaultHelpText: string): Promise<string> {
  const account = await findAccount(tx, accountId)
  return account?.help_text ?? defaultHelpText
}

async function replyToKeyword(
  tx: Tx,
  deps: Deps,
  accountId: string,
  keyword: Keyword,
  contact: ContactRow,
  conversationId: string
): Promise<MessageShape | undefined> {
  const text =
    keyword === 'help'
      ? await helpTextOf(tx, accountId, deps.config.messaging.helpText)
      : { 'opt-out': OPT_OUT_CONFIRMATION, 'opt-in': OPT_IN_CONFIRMATION }[keyword]
  return await sendReply(tx, deps, accountId, contact, conversationId, text, keyword === 'opt-out')
}

/** Parley's own answer in the conversation, from the system, through the normal dispatch pipeline. */
async function sendReply(
  tx: Tx,
  deps: Deps,
  accountId: string,
  contact: ContactRow,
  conversationId: string,
  text: string,
  toOptedOut = false
): Promise<MessageShape | undefined> {
  const [conversation] = await findConversations(tx, accountId, [conversationId], undefined)
  const composed = await composeMessages(
    tx,
    deps,
    {
      accountId,
      groupSenders: [],
      groupId: conversation!.group_id,
      // Literal text: a help text with braces is not a template.
      templateText: text,
      template: { render: () => text },
      type: 'SMS',
      media: [],
      sendAt: null,
      origin: { jobId: null, userId: null, actor: systemActor },
      ignoreOptOut: toOptedOut,
      ignoreDuplicates: true
    },
    [{ contact, conversation: conversation! }]
  )
  const [reply] = await messageViews(tx, accountId, composed.messageIds)
  return reply ? toMessage(reply) : undefined
}
