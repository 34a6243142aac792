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
import { upsertContacts } from '../contacts/contacts.repository.ts'
import type { ContactView } from '../contacts/contacts.table.ts'
import { changeReachabilityIn } from '../contacts/contacts.service.ts'
import { toContact } from '../contacts/contacts.mapper.ts'
import type { ContactRow } from '../contacts/contacts.table.ts'
import {
  claimAwayReply,
  findConversations,
  openConversations,
  reopenConversation,
  type ConversationKey
} from '../conversations/conversations.repository.ts'
import { recordEvents, type DomainEvent } from '../events/events.repository.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { carrierKeyOf, findKnownContacts, storedCarrierMessages, type KnownContact } from './inbound.repository.ts'
import { Batches } from './inbound-batches.ts'
import { insertMessageViews, messageViews, type InboundMessageView } from '../messages/messages.repository.ts'
import type { MessageShape } from '../messages/messages.schemas.ts'
import { toMessage } from '../messages/messages.mapper.ts'
import { composeMessages } from '../messages/send/compose.service.ts'
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

interface Inbound {
  sender: SenderRow
  message: InboundMessage
  mobile: string
  country: string | null
}

// At 32 concurrent requests batches hold about 15 messages (bench inbound); the cap bounds how long
// the first message of a burst waits for the others.
const BATCH_CAP = 64

const batchesOf = new WeakMap<Deps, Batches<Inbound, Received | undefined>>()

/**
 * An inbound message to a sender: lands in the open conversation of the contact and sender
 * (reopened when closed, created when there is none) in the sender's group inbox, unread for its
 * members. STOP-family keywords opt the contact out account-wide, START/UNSTOP opt them back in,
 * HELP/INFO get the help text; each keyword gets one automatic answer through the normal dispatch
 * pipeline (docs/api/conversations.md, "Inbound messages and keywords"). Concurrent messages of one account are written
 * together (Batches); each answer comes once its message is committed. A message the carrier sent
 * before (its carrier id is stored) changes nothing: it answers the stored message without a reply,
 * or undefined when that message is another account's.
 */
export async function receiveInbound(
  deps: Deps,
  sender: SenderRow,
  message: InboundMessage
): Promise<Received | undefined> {
  const from = parsePhone(message.from)
  if (!from) throw new ApiError('CONT-001', `Invalid mobile number ${message.from}`)
  let batches = batchesOf.get(deps)
  if (!batches) {
    batches = new Batches({
      write: (accountId, items) => writeBatch(deps, accountId, items),
      keyOf: (item) => `${item.sender.id} ${item.mobile}`,
      cap: BATCH_CAP
    })
    batchesOf.set(deps, batches)
  }
  return await batches.add(sender.account_id, { sender, message, mobile: from.e164, country: from.country ?? null })
}

/**
 * A batch in one transaction; when it fails, each message again on its own, so one bad message
 * fails alone and none is lost to another's error. A message that failed on its own because another
 * transaction (another instance's) stored the same carrier message first is tried once more: that
 * transaction has committed, so the retry finds the message stored and acknowledges it.
 */
async function writeBatch(
  deps: Deps,
  accountId: string,
  items: readonly Inbound[],
  retried = false
): Promise<Array<PromiseSettledResult<Received | undefined>>> {
  try {
    const received = await deps.db.transaction().execute((tx) => receiveOnce(tx, deps, accountId, items))
    return received.map((value) => ({ status: 'fulfilled', value }))
  } catch (error) {
    if (items.length === 1)
      return isUniqueViolation(error, 'messages_carrier_message_key') && !retried
        ? await writeBatch(deps, accountId, items, true)
        : [{ status: 'rejected', reason: error }]
    deps.log.warn({ err: error, accountId, messages: items.length }, 'inbound batch failed; its messages go one by one')
    const results: Array<PromiseSettledResult<Received | undefined>> = []
    for (const item of items) results.push(...(await writeBatch(deps, accountId, [item])))
    return results
  }
}

/**
 * Carriers send a message again when they are not sure it arrived (Twilio retries a callback that
 * timed out or failed; an SMSC a deliver_sm whose response it missed). A message whose carrier id is
 * stored, or taken by an earlier message of the batch, is written no more: no second row, event or
 * reply; it is answered as received, with the stored message when it is this account's.
 */
async function receiveOnce(
  tx: Tx,
  deps: Deps,
  accountId: string,
  items: readonly Inbound[]
): Promise<Array<Received | undefined>> {
  const keyOf = ({ sender, message }: Inbound) =>
    carrierKeyOf({ carrier: sender.carrier, carrierMessageId: message.carrierMessageId })
  const stored = await storedCarrierMessages(
    tx,
    items.map(({ sender, message }) => ({ carrier: sender.carrier, carrierMessageId: message.carrierMessageId }))
  )
  const firstOf = new Map<string, number>()
  items.forEach((item, index) => {
    const key = keyOf(item)
    if (!stored.has(key) && !firstOf.has(key)) firstOf.set(key, index)
  })
  const fresh = [...firstOf.values()]
  const written =
    fresh.length === 0
      ? []
      : await receiveAll(
          tx,
          deps,
          accountId,
          fresh.map((index) => items[index]!)
        )
  const byIndex = new Map(fresh.map((index, position) => [index, written[position]!]))
  const earlier = await messageViews(
    tx,
    accountId,
    [...stored.values()].flatMap((message) => (message.accountId === accountId ? [message.id] : []))
  )
  const earlierById = new Map(earlier.map((view) => [view.id, toMessage(view)]))
  return items.map((item, index) => {
    const received = byIndex.get(index)
    if (received) return received
    const key = keyOf(item)
    deps.log.info(
      { accountId, carrier: item.sender.carrier, carrierMessageId: item.message.carrierMessageId },
      'inbound message received again; acknowledged and stored once'
    )
    const first = stored.get(key)
    const message = first ? earlierById.get(first.id) : byIndex.get(firstOf.get(key)!)!.message
    return message ? { message } : undefined
  })
}

/**
 * Messages from distinct (sender, number) pairs, each step set-based: contacts found (and their
 * open conversations touched) at once, the missing ones created at once, the conversations opened
 * at once, the messages and their events inserted at once; then each message's keyword or away
 * reply.
 */
async function receiveAll(tx: Tx, deps: Deps, accountId: string, items: readonly Inbound[]): Promise<Received[]> {
  const known = await findKnownContacts(
    tx,
    accountId,
    items.map((item) => ({ mobile: item.mobile, senderId: item.sender.id }))
  )
  const added = await addContacts(
    tx,
    accountId,
    items.filter((_, index) => !known.has(index))
  )
  const contacts = items.map((item, index) => known.get(index)?.contact ?? added.get(item.mobile)!)
  // The events of a message and of the contact and thread it brought wait for it: one insert for all.
  const events = items.map((): DomainEvent[] => [])
  const created = new Set<string>()
  items.forEach((item, index) => {
    const contact = added.get(item.mobile)
    if (contact?.inserted && !created.has(item.mobile)) {
      created.add(item.mobile)
      events[index]!.push({ type: 'contact-created', payload: toContact(contact) })
    }
  })
  const conversations = await inboundConversations(tx, accountId, items, contacts, known, added)
  conversations.forEach(({ id, inserted, reopened }, index) => {
    if (!inserted && reopened === undefined) return
    const { sender } = items[index]!
    // A reopened thread is back in the inbox, so subscribers that saw it close hear it start again.
    events[index]!.push({
      type: 'conversation-started',
      payload: {
        id,
        contact: { id: contacts[index]!.id },
        phoneNumber: { id: sender.id },
        group: { id: sender.group_id },
        ...(reopened !== undefined ? { reopened: true } : {})
      }
    })
  })
  const views = await insertMessageViews(
    tx,
    accountId,
    items.map(({ sender, message }, index) => {
      const { segments, encoding } = countSegments(message.text)
      return {
        id: newId(),
        conversationId: conversations[index]!.id,
        contactId: contacts[index]!.id,
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
        carrierMessageId: message.carrierMessageId,
        actor: contactActor(contacts[index]!)
      }
    })
  )
  const messages = views.map((view) => toMessage(view))
  messages.forEach((message, index) => events[index]!.push({ type: 'message-received', payload: message }))
  await recordEvents(tx, accountId, events.flat())

  const received: Received[] = []
  for (const [index, view] of views.entries())
    received.push(await answer(tx, deps, accountId, items[index]!.message, contacts[index]!, view, messages[index]!))
  return received
}

/** A keyword's effect and answer, or else the away reply when one is due. */
async function answer(
  tx: Tx,
  deps: Deps,
  accountId: string,
  message: InboundMessage,
  contact: ContactRow,
  view: InboundMessageView,
  received: MessageShape
): Promise<Received> {
  const keyword = keywordOf(message.text)
  if (!keyword) {
    const away = await awayReplyText(tx, view)
    const reply =
      away === undefined ? undefined : await sendReply(tx, deps, accountId, contact, view.conversation_id, away)
    return { message: received, ...(reply ? { reply } : {}) }
  }
  const changed =
    keyword === 'help' ? contact : await changeReachabilityIn(tx, accountId, contact.id, keyword, contactActor(contact))
  const reply = await replyToKeyword(tx, deps, accountId, keyword, changed, view.conversation_id)
  return { message: received, keyword, ...(reply ? { reply } : {}) }
}

/** Numbers that are no contact yet (or were not when findKnownContacts looked) become ones, by number. */
async function addContacts(
  tx: Tx,
  accountId: string,
  items: readonly Inbound[]
): Promise<Map<string, ContactView & { inserted: boolean }>> {
  // In number order, so transactions that add the same new numbers wait on each other, never in a cycle.
  const numbers = new Map(items.map((item) => [item.mobile, item.country]))
  const written = await upsertContacts(
    tx,
    accountId,
    [...numbers].sort(([a], [b]) => a.localeCompare(b)).map(([mobile, country]) => ({ id: newId(), mobile, country })),
    'keep',
    systemActor
  )
  return new Map(written.map((contact) => [contact.mobile, contact]))
}

interface InboundConversation {
  id: string
  inserted: boolean
  reopened?: string
}

/**
 * The conversation each message lands in: the open one findKnownContacts touched; else the
 * reopened one, else a new one, or the open one a concurrent writer opened meanwhile. A contact
 * this transaction inserted has no conversation to reopen.
 */
async function inboundConversations(
  tx: Tx,
  accountId: string,
  items: readonly Inbound[],
  contacts: readonly ContactRow[],
  known: ReadonlyMap<number, KnownContact>,
  added: ReadonlyMap<string, { inserted: boolean }>
): Promise<InboundConversation[]> {
  const keyOf = (index: number): ConversationKey => ({
    contactId: contacts[index]!.id,
    senderId: items[index]!.sender.id,
    groupId: items[index]!.sender.group_id
  })
  const missing = items.flatMap((_, index) => (known.get(index)?.openConversationId ? [] : [index]))
  const reopened = new Map<number, string>()
  for (const index of missing) {
    if (!known.has(index) && added.get(items[index]!.mobile)?.inserted) continue
    const id = await reopenConversation(tx, accountId, keyOf(index), contactActor(contacts[index]!))
    if (id !== undefined) reopened.set(index, id)
  }
  const opened = await openConversations(
    tx,
    accountId,
    missing.map(keyOf),
    true,
    missing.map((index) => contactActor(contacts[index]!))
  )
  const byKey = new Map(opened.map((row) => [`${row.contact_id} ${row.sender_id}`, row]))
  return items.map((item, index) => {
    const open = known.get(index)?.openConversationId
    if (open) return { id: open, inserted: false }
    const row = byKey.get(`${contacts[index]!.id} ${item.sender.id}`)!
    const reopen = reopened.get(index)
    return { id: row.id, inserted: row.inserted, ...(reopen !== undefined ? { reopened: reopen } : {}) }
  })
}

/**
 * The group's away message, when its office hours say away and this conversation has not had it in
 * the current away period (docs/shared-inbox.md).
 */
async function awayReplyText(
  tx: Tx,
  { group_office_hours: hours, group_updated_at: since, conversation_id: conversationId }: InboundMessageView
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
