import type { DbOrTx, Tx } from '../../../db/database.ts'
import type { TemplateContact } from '../../../lib/render-template.ts'
import { newId } from '../../../shared/ids.ts'
import { parsePhone } from '../../../shared/phone.ts'
import type { ActorShape } from '../../../shared/schemas.ts'
import { findContactRows, upsertContacts } from '../../contacts/contacts.repository.ts'
import { toContact } from '../../contacts/contacts.mapper.ts'
import type { ContactRow } from '../../contacts/contacts.table.ts'
import type { ConversationRow } from '../../conversations/conversations.table.ts'
import { recordEvents } from '../../events/events.repository.ts'
import type { InvalidRecipientShape, SendFiltersShape, SendMessagesRequestShape } from '../messages.schemas.ts'

/** Someone a send goes to, with what the request said about them. */
export interface Recipient {
  contact: ContactRow
  /** Personalisation given with the send, laid over the stored contact when rendering. */
  fields?: TemplateContact
  /** A reply: the conversation whose sender it reuses. */
  conversation?: ConversationRow
}

export interface Resolved {
  recipients: Recipient[]
  invalid: InvalidRecipientShape[]
}

type SendContact = NonNullable<SendMessagesRequestShape['contacts']>[number]

export function invalidRecipient(
  code: string,
  description: string,
  who: Partial<Pick<InvalidRecipientShape, 'id' | 'mobile' | 'conversation'>>
): InvalidRecipientShape {
  return { ...who, valid: false, error: { code, description } }
}

function personalisation(given: SendContact): TemplateContact | undefined {
  const fields: TemplateContact = {}
  if (given.firstName) fields.firstName = given.firstName
  if (given.lastName) fields.lastName = given.lastName
  if (given.email) fields.email = given.email
  if (given.attributes) fields.attributes = given.attributes
  return Object.keys(fields).length > 0 ? fields : undefined
}

/**
 * The request's contacts: by id, or by mobile number, created (with the names given) when the
 * account has no contact with that number. Existing contacts are not changed by a send.
 */
export async function resolveContacts(
  tx: Tx,
  accountId: string,
  given: readonly SendContact[],
  actor: ActorShape
): Promise<Resolved> {
  const invalid: InvalidRecipientShape[] = []
  const wanted: Array<{ given: SendContact; id?: string; mobile?: string; country?: string | null }> = []
  for (const contact of given) {
    if (contact.id) {
      wanted.push({ given: contact, id: contact.id })
      continue
    }
    const parsed = contact.mobile ? parsePhone(contact.mobile.number, contact.mobile.country) : undefined
    if (!parsed) {
      invalid.push(
        invalidRecipient(
          'CONT-001',
          `Invalid mobile number ${contact.mobile?.number ?? '(none given)'}`,
          contact.mobile ? { mobile: contact.mobile } : {}
        )
      )
      continue
    }
    wanted.push({ given: contact, mobile: parsed.e164, country: parsed.country ?? null })
  }

  const byMobile = new Map<string, ContactRow>()
  const newRows = wanted.flatMap((want) =>
    want.mobile === undefined
      ? []
      : [
          {
            id: newId(),
            mobile: want.mobile,
            country: want.country ?? null,
            firstName: want.given.firstName,
            lastName: want.given.lastName,
            email: want.given.email
          }
        ]
  )
  const written = await upsertContacts(tx, accountId, newRows, 'keep', actor)
  for (const row of written) byMobile.set(row.mobile, row)
  await recordEvents(
    tx,
    accountId,
    written.filter((row) => row.inserted).map((row) => ({ type: 'contact-created', payload: toContact(row) }))
  )
  const found = await findContactRows(
    tx,
    accountId,
    wanted.flatMap((want) => want.id ?? [])
  )
  const byId = new Map(found.map((row) => [row.id, row]))
  const recipients: Recipient[] = []
  for (const want of wanted) {
    const contact = want.id !== undefined ? byId.get(want.id) : byMobile.get(want.mobile!)
    if (!contact) {
      invalid.push(invalidRecipient('CONT-002', `Contact ${want.id} not found`, { id: want.id }))
      continue
    }
    recipients.push({ contact, fields: personalisation(want.given) })
  }
  return { recipients, invalid }
}

/** Replies to conversations the caller can see; any other id is invalid (CONV-001), as if it did not exist. */
export async function resolveConversations(
  db: DbOrTx,
  accountId: string,
  conversationIds: readonly string[],
  visible: readonly ConversationRow[]
): Promise<Resolved> {
  const byId = new Map(visible.map((row) => [row.id, row]))
  const contacts = await findContactRows(
    db,
    accountId,
    visible.map((row) => row.contact_id)
  )
  const contactById = new Map(contacts.map((row) => [row.id, row]))
  const resolved: Resolved = { recipients: [], invalid: [] }
  for (const id of conversationIds) {
    const conversation = byId.get(id)
    const contact = conversation && contactById.get(conversation.contact_id)
    if (conversation && contact) resolved.recipients.push({ contact, conversation })
    else resolved.invalid.push(invalidRecipient('CONV-001', `Conversation ${id} not found`, { conversation: { id } }))
  }
  return resolved
}

/** Whether the filters select anyone: an empty filter object selects no one, not everyone. */
export function hasFilters(filters: SendFiltersShape | undefined): filters is SendFiltersShape {
  return Boolean(
    filters && ((filters.tags?.length ?? 0) > 0 || (filters.attributes?.length ?? 0) > 0 || filters.list !== undefined)
  )
}
