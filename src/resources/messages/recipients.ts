import { sql, type RawBuilder } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { coerceAttributeValue, type AttributeValue } from '../../lib/attribute-values.ts'
import type { TemplateContact } from '../../lib/render-template.ts'
import { newId } from '../../shared/ids.ts'
import { parsePhone } from '../../shared/phone.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { AttributeCatalog } from '../contacts/contact-values.ts'
import { toContact } from '../contacts/contacts.schemas.ts'
import type { ContactRow } from '../contacts/contacts.table.ts'
import type { ConversationRow } from '../conversations/conversations.table.ts'
import { recordEvents } from '../events/events.repository.ts'
import type { InvalidRecipientShape, SendFiltersShape, SendMessagesRequestShape } from './messages.schemas.ts'

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

  const newRows = wanted
    .filter((want) => want.mobile !== undefined)
    .map((want) => ({
      id: newId(),
      mobile: want.mobile!,
      country: want.country ?? null,
      first_name: want.given.firstName || null,
      last_name: want.given.lastName || null,
      email: want.given.email || null
    }))
  if (newRows.length > 0) {
    const actorText = JSON.stringify(actor)
    const { rows: inserted } = await sql<ContactRow>`
      INSERT INTO contacts (id, account_id, mobile, country, first_name, last_name, email, created_by, updated_by)
      SELECT r.id, ${accountId}, r.mobile, r.country, r.first_name, r.last_name, r.email, ${actorText}::jsonb, ${actorText}::jsonb
      FROM unnest(${newRows.map((r) => r.id)}::text[], ${newRows.map((r) => r.mobile)}::text[], ${newRows.map((r) => r.country)}::text[],
        ${newRows.map((r) => r.first_name)}::text[], ${newRows.map((r) => r.last_name)}::text[], ${newRows.map((r) => r.email)}::text[])
        AS r(id, mobile, country, first_name, last_name, email)
      ON CONFLICT (account_id, mobile) DO NOTHING
      RETURNING *
    `.execute(tx)
    await recordEvents(
      tx,
      accountId,
      inserted.map((row) => ({
        type: 'contact-created',
        payload: toContact({ ...row, assigned_user: null, integrations: null })
      }))
    )
  }

  const ids = wanted.flatMap((want) => want.id ?? [])
  const mobiles = wanted.flatMap((want) => want.mobile ?? [])
  const found =
    ids.length + mobiles.length === 0
      ? []
      : await tx
          .selectFrom('contacts')
          .selectAll()
          .where('account_id', '=', accountId)
          .where((eb) =>
            eb.or([
              ...(ids.length ? [eb('id', 'in', ids)] : []),
              ...(mobiles.length ? [eb('mobile', 'in', mobiles)] : [])
            ])
          )
          .execute()
  const byId = new Map(found.map((row) => [row.id, row]))
  const byMobile = new Map(found.map((row) => [row.mobile, row]))
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
  const contacts =
    visible.length === 0
      ? []
      : await db
          .selectFrom('contacts')
          .selectAll()
          .where('account_id', '=', accountId)
          .where(
            'id',
            'in',
            visible.map((row) => row.contact_id)
          )
          .execute()
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

const CORE_COLUMNS: Record<string, 'first_name' | 'last_name' | 'email' | 'mobile' | 'country'> = {
  firstname: 'first_name',
  lastname: 'last_name',
  email: 'email',
  mobile: 'mobile',
  country: 'country'
}

/** Whether the filters select anyone: an empty filter object selects no one, not everyone. */
export function hasFilters(filters: SendFiltersShape | undefined): filters is SendFiltersShape {
  return Boolean(filters && ((filters.tags?.length ?? 0) > 0 || (filters.attributes?.length ?? 0) > 0))
}

/**
 * The filters as one SQL condition over contacts `c`: every tag, and every attribute comparison
 * (the reference's comparators; a list with = or != means any of / none of). Custom attributes are
 * compared as the jsonb values they are stored as, so numbers compare as numbers.
 */
export async function filterCondition(
  db: DbOrTx,
  accountId: string,
  filters: SendFiltersShape
): Promise<RawBuilder<boolean>> {
  const conditions: RawBuilder<boolean>[] = []
  const tags = filters.tags ?? []
  if (tags.length > 0) conditions.push(sql<boolean>`c.tags @> ${JSON.stringify(tags.map((tag) => ({ tag })))}::jsonb`)
  const catalog = (filters.attributes?.length ?? 0) > 0 ? await AttributeCatalog.load(db, accountId) : undefined
  for (const filter of filters.attributes ?? []) {
    const name = filter.name ?? filter.attribute
    if (!name) throw new ApiError('REQ-001', 'body.filters.attributes: each filter needs a name')
    const values = Array.isArray(filter.value) ? filter.value : [filter.value]
    if (values.length !== 1 && filter.comparator !== '=' && filter.comparator !== '!=') {
      throw new ApiError('REQ-001', `body.filters.attributes: ${filter.comparator} compares with one value, not a list`)
    }
    const core = CORE_COLUMNS[name.toLowerCase()]
    let operands: RawBuilder<unknown>[]
    let subject: RawBuilder<unknown>
    if (core) {
      subject = sql`c.${sql.ref(core)}`
      operands = values.map((value) => sql`${String(value)}::text`)
    } else {
      const definition = catalog!.find(name)
      if (!definition) throw new ApiError('ATTR-001', `filters.attributes: ${name} is not a defined contact attribute`)
      subject = sql`(c.attributes -> ${definition.name})`
      operands = values.map((value) => {
        const coerced = coerceAttributeValue(definition.data_type, value)
        if ('problem' in coerced || coerced.value === null)
          throw new ApiError(
            'ATTR-002',
            `filters.attributes: ${definition.name} ${'problem' in coerced ? coerced.problem : 'needs a value'}`
          )
        return sql`${JSON.stringify(coerced.value satisfies AttributeValue)}::jsonb`
      })
    }
    const comparator = sql.raw(filter.comparator === '!=' ? '=' : filter.comparator)
    const anyMatch = sql.join(
      operands.map((operand) => sql`${subject} ${comparator} ${operand}`),
      sql` OR `
    )
    conditions.push(
      filter.comparator === '!='
        ? sql<boolean>`(${subject} IS NOT NULL AND NOT (${anyMatch}))`
        : sql<boolean>`(${anyMatch})`
    )
  }
  return sql<boolean>`(${sql.join(conditions, sql` AND `)})`
}

export async function countFiltered(db: DbOrTx, accountId: string, condition: RawBuilder<boolean>): Promise<number> {
  const { count } = await db
    .selectFrom('contacts as c')
    .where('c.account_id', '=', accountId)
    .where(condition)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(count)
}

/** The next matching contacts after `afterId`, in id order: the expansion's resumable cursor. */
export async function nextFiltered(
  db: DbOrTx,
  accountId: string,
  condition: RawBuilder<boolean>,
  afterId: string | null,
  limit: number
): Promise<Recipient[]> {
  let query = db.selectFrom('contacts as c').selectAll('c').where('c.account_id', '=', accountId).where(condition)
  if (afterId !== null) query = query.where('c.id', '>', afterId)
  const rows = await query.orderBy('c.id').limit(limit).execute()
  return rows.map((contact) => ({ contact }))
}
