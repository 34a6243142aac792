import { sql, type RawBuilder } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'
import type { Encoding } from '../../lib/segments.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { usableGroupIdsQuery } from '../groups/group-access.ts'
import type { OfficeHoursValue } from '../groups/groups.table.ts'
import type { MessageMedia, MessagesTable, MessageStatus, MessageType, MessageView } from './messages.table.ts'
import { columnsOf, selectList } from '../../db/columns.ts'
import { countRows, withTotalCount } from '../../db/count.ts'
import { integrations } from '../contacts/contacts.repository.ts'
import { actorJson } from '../../shared/audit.ts'

export type GroupScope = ReturnType<typeof usableGroupIdsQuery>

// An inbound message is read once any member has read its conversation since it arrived.
const readFlag = sql<boolean>`(m.outgoing OR EXISTS (SELECT 1 FROM conversation_reads r WHERE r.conversation_id = m.conversation_id AND r.read_at >= m.created_at))`

function selectMessageViews(db: DbOrTx, accountId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('contacts as c', 'c.id', 'm.contact_id')
    .innerJoin('senders as s', 's.id', 'm.sender_id')
    .innerJoin('conversations as cv', 'cv.id', 'm.conversation_id')
    .leftJoin('groups as g', 'g.id', 'm.group_id')
    .selectAll('m')
    .select([
      's.number as sender_number',
      'g.name as group_name',
      'c.first_name as contact_first_name',
      'c.last_name as contact_last_name',
      'c.email as contact_email',
      'c.mobile as contact_mobile',
      'c.country as contact_country',
      integrations.as('contact_integrations'),
      sql<boolean>`cv.closed_at IS NOT NULL`.as('conversation_closed'),
      readFlag.as('read')
    ])
    .where('m.account_id', '=', accountId)
}

export async function findMessageView(
  db: DbOrTx,
  accountId: string,
  messageId: string,
  scope: GroupScope
): Promise<MessageView | undefined> {
  let query = selectMessageViews(db, accountId).where('m.id', '=', messageId)
  if (scope) query = query.where('m.group_id', 'in', scope)
  return await query.executeTakeFirst()
}

/** Views of the given messages, in the order of the ids. */
export async function messageViews(
  db: DbOrTx,
  accountId: string,
  messageIds: readonly string[]
): Promise<MessageView[]> {
  if (messageIds.length === 0) return []
  const rows = await selectMessageViews(db, accountId).where('m.id', 'in', messageIds).execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  return messageIds.flatMap((id) => byId.get(id) ?? [])
}

export interface MessageFilter extends PageRequest {
  contactId?: string
  conversationId?: string
  groupId?: string
  status?: MessageStatus
  outgoing?: boolean
  jobId?: string
}

export async function listMessages(
  db: DbOrTx,
  accountId: string,
  scope: GroupScope,
  filter: MessageFilter
): Promise<Page<MessageView>> {
  let filtered = db.selectFrom('messages as m').where('m.account_id', '=', accountId)
  if (scope) filtered = filtered.where('m.group_id', 'in', scope)
  if (filter.contactId !== undefined) filtered = filtered.where('m.contact_id', '=', filter.contactId)
  if (filter.conversationId !== undefined) filtered = filtered.where('m.conversation_id', '=', filter.conversationId)
  if (filter.groupId !== undefined) filtered = filtered.where('m.group_id', '=', filter.groupId)
  if (filter.status !== undefined) filtered = filtered.where('m.status', '=', filter.status)
  if (filter.outgoing !== undefined) filtered = filtered.where('m.outgoing', '=', filter.outgoing)
  if (filter.jobId !== undefined) filtered = filtered.where('m.job_id', '=', filter.jobId)
  const page = await filtered
    .select('m.id')
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id', 'desc')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  const { totalCount } = await withTotalCount(filter, page, () => countRows(filtered))
  return {
    items: await messageViews(
      db,
      accountId,
      page.map((row) => row.id)
    ),
    totalCount
  }
}

export interface NewMessage {
  id: string
  conversationId: string
  contactId: string
  senderId: string
  groupId: string | null
  carrier: string
  outgoing: boolean
  status: MessageStatus
  type: MessageType
  body: string
  template: string | null
  media: MessageMedia[]
  segments: number
  encoding: Encoding
  price: number
  sendAt: Date | null
  carrierMessageId: string | null
}

export interface MessageOrigin {
  jobId: string | null
  userId: string | null
  actor: ActorShape
}

// The columns of a message a source of rows gives, as `r`.
const rowColumns = sql.raw(
  'id, conversation_id, contact_id, sender_id, group_id, carrier, outgoing, status, type, body, template, media, segments, encoding, price, send_at, carrier_message_id'
)

function insertStatement(
  accountId: string,
  rows: RawBuilder<unknown>,
  origin: Omit<MessageOrigin, 'actor'>,
  createdBy: RawBuilder<unknown>
) {
  return sql`
    INSERT INTO messages (id, account_id, conversation_id, contact_id, sender_id, group_id, carrier, outgoing, status, type, body, template, media,
      segments, encoding, price, send_at, queued_at, received_at, carrier_message_id, job_id, user_id, created_by)
    SELECT r.id, ${accountId}, r.conversation_id, r.contact_id, r.sender_id, r.group_id, r.carrier, r.outgoing, r.status, r.type, r.body, r.template, r.media::jsonb,
      r.segments, r.encoding, r.price, r.send_at,
      CASE WHEN r.status = 'queued' THEN now() END, CASE WHEN r.status = 'received' THEN now() END,
      r.carrier_message_id, ${origin.jobId}, ${origin.userId}, ${createdBy}
    FROM ${rows}`
}

// Any number of rows with a fixed parameter count.
function unnestedRows(messages: readonly NewMessage[]) {
  const column = <T>(pick: (message: NewMessage) => T) => messages.map(pick)
  return sql`unnest(
    ${column((m) => m.id)}::text[], ${column((m) => m.conversationId)}::text[], ${column((m) => m.contactId)}::text[],
    ${column((m) => m.senderId)}::text[], ${column((m) => m.groupId)}::text[], ${column((m) => m.carrier)}::text[],
    ${column((m) => m.outgoing)}::boolean[], ${column((m) => m.status)}::text[], ${column((m) => m.type)}::text[],
    ${column((m) => m.body)}::text[], ${column((m) => m.template)}::text[], ${column((m) => JSON.stringify(m.media))}::text[],
    ${column((m) => m.segments)}::integer[], ${column((m) => m.encoding)}::text[], ${column((m) => m.price)}::numeric[],
    ${column((m) => m.sendAt?.toISOString() ?? null)}::timestamptz[], ${column((m) => m.carrierMessageId)}::text[]
  ) AS r(${rowColumns})`
}

/** Inserts any number of messages in one statement (unnest keeps the parameter count fixed). */
export async function insertMessages(
  db: DbOrTx,
  accountId: string,
  messages: readonly NewMessage[],
  origin: MessageOrigin
): Promise<void> {
  if (messages.length === 0) return
  await sql`/* prepared insert_messages */ ${insertStatement(accountId, unnestedRows(messages), origin, sql`${actorJson(origin.actor)}::jsonb`)}`.execute(
    db
  )
}

const messageColumns = columnsOf<MessagesTable>({
  id: 0,
  account_id: 0,
  conversation_id: 0,
  contact_id: 0,
  sender_id: 0,
  group_id: 0,
  job_id: 0,
  user_id: 0,
  outgoing: 0,
  status: 0,
  type: 0,
  body: 0,
  template: 0,
  media: 0,
  segments: 0,
  encoding: 0,
  price: 0,
  send_at: 0,
  queued_at: 0,
  sent_at: 0,
  delivered_at: 0,
  failed_at: 0,
  received_at: 0,
  error_code: 0,
  error_description: 0,
  carrier: 0,
  carrier_message_id: 0,
  created_at: 0,
  created_by: 0,
  updated_at: 0
})

/** A message's view with its group's office hours, which an inbound message is answered by. */
export interface InboundMessageView extends MessageView {
  group_office_hours: OfficeHoursValue | null
  group_updated_at: Date | null
}

/** An inbound message to insert: each is created by its own contact. */
export interface NewInboundMessage extends NewMessage {
  actor: ActorShape
}

/**
 * Inserts inbound messages and answers, in their order, their views (selectMessageViews) and their
 * groups' office hours in the same statement: reading them back took two more round trips. The
 * rows travel as one JSON parameter.
 */
export async function insertMessageViews(
  tx: Tx,
  accountId: string,
  messages: readonly NewInboundMessage[]
): Promise<InboundMessageView[]> {
  const batch = JSON.stringify(
    messages.map((m) => ({
      id: m.id,
      conversation_id: m.conversationId,
      contact_id: m.contactId,
      sender_id: m.senderId,
      group_id: m.groupId,
      carrier: m.carrier,
      outgoing: m.outgoing,
      status: m.status,
      type: m.type,
      body: m.body,
      template: m.template,
      media: m.media,
      segments: m.segments,
      encoding: m.encoding,
      price: m.price,
      send_at: m.sendAt,
      carrier_message_id: m.carrierMessageId,
      created_by: m.actor
    }))
  )
  const rows = sql`json_to_recordset(${batch}::json) AS r(id text, conversation_id text, contact_id text, sender_id text,
    group_id text, carrier text, outgoing boolean, status text, type text, body text, template text, media jsonb,
    segments integer, encoding text, price numeric, send_at timestamptz, carrier_message_id text, created_by jsonb)`
  const { rows: views } = await sql<InboundMessageView>`/* prepared insert_message_views */
    WITH m AS (
      ${insertStatement(accountId, rows, { jobId: null, userId: null }, sql`r.created_by`)}
      RETURNING ${selectList(messageColumns)}
    )
    SELECT ${selectList(messageColumns, 'm')},
      s.number AS sender_number, g.name AS group_name, c.first_name AS contact_first_name, c.last_name AS contact_last_name,
      c.email AS contact_email, c.mobile AS contact_mobile, c.country AS contact_country,
      ${integrations} AS contact_integrations, cv.closed_at IS NOT NULL AS conversation_closed, ${readFlag} AS read,
      g.office_hours AS group_office_hours, g.updated_at AS group_updated_at
    FROM m
    JOIN contacts c ON c.id = m.contact_id
    JOIN senders s ON s.id = m.sender_id
    JOIN conversations cv ON cv.id = m.conversation_id
    LEFT JOIN groups g ON g.id = m.group_id
  `.execute(tx)
  const byId = new Map(views.map((view) => [view.id, view]))
  return messages.map((message) => byId.get(message.id)!)
}

/**
 * Makes sends of one template in one account take turns until commit, so the duplicate guard of
 * the second sees the messages of the first: without it, the same request sent twice at once
 * passed the guard twice. Sends of other texts do not wait.
 */
export async function takeTurnForTemplate(tx: Tx, accountId: string, templateText: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${accountId}\n${templateText}`}, 0))`.execute(tx)
}

/**
 * The contacts of (contact, text) pairs that were sent the same text within 30 minutes with no
 * inbound message from them since (Sakari's MSG-024 duplicate guard). Failed messages do not count.
 */
export async function recentDuplicates(
  db: DbOrTx,
  accountId: string,
  pairs: ReadonlyArray<{ contactId: string; body: string }>
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set()
  const { rows } = await sql<{ contact_id: string }>`
    SELECT DISTINCT r.contact_id
    FROM unnest(${pairs.map((pair) => pair.contactId)}::text[], ${pairs.map((pair) => pair.body)}::text[]) AS r(contact_id, body)
    JOIN messages m ON m.account_id = ${accountId} AND m.contact_id = r.contact_id AND m.outgoing AND m.body = r.body
      AND m.created_at > now() - interval '30 minutes' AND m.status <> 'failed'
    WHERE NOT EXISTS (
      SELECT 1 FROM messages i
      WHERE i.account_id = ${accountId} AND i.contact_id = r.contact_id AND NOT i.outgoing AND i.created_at > m.created_at
    )
  `.execute(db)
  return new Set(rows.map((row) => row.contact_id))
}
