import { sql } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { actorJson } from '../../shared/audit.ts'
import { newId } from '../../shared/ids.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { Principal } from '../../shared/principal.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { GroupScope } from '../messages/messages.repository.ts'
import type { ConversationRow, ConversationView, UserName } from './conversations.table.ts'
import { countRows, withTotalCount } from '../../db/count.ts'

export interface ConversationKey {
  contactId: string
  senderId: string
  groupId: string | null
}

export interface OpenedConversation {
  id: string
  contact_id: string
  sender_id: string
  inserted: boolean
}

/**
 * The open conversation of each (contact, sender) pair, created where there is none, in one
 * statement: the partial unique index makes racing writers meet on one row. Each pair once. The
 * writer is one actor for all, or one per key (inbound messages: each contact opens its own).
 */
export async function openConversations(
  db: DbOrTx,
  accountId: string,
  keys: readonly ConversationKey[],
  inbound: boolean,
  actor: ActorShape | readonly ActorShape[]
): Promise<OpenedConversation[]> {
  if (keys.length === 0) return []
  const writer = Array.isArray(actor)
    ? { column: sql`${actor.map(actorJson)}::jsonb[]`, value: sql`r.actor` }
    : { column: sql`${[]}::jsonb[]`, value: sql`${actorJson(actor as ActorShape)}::jsonb` }
  const { rows } = await sql<OpenedConversation>`
    INSERT INTO conversations AS cv (id, account_id, contact_id, sender_id, group_id, last_inbound_at, created_by, updated_by)
    SELECT r.id, ${accountId}, r.contact_id, r.sender_id, r.group_id, ${inbound ? sql`now()` : sql`NULL::timestamptz`}, ${writer.value}, ${writer.value}
    FROM unnest(${keys.map(() => newId())}::text[], ${keys.map((key) => key.contactId)}::text[], ${keys.map((key) => key.senderId)}::text[], ${keys.map((key) => key.groupId)}::text[], ${writer.column})
      AS r(id, contact_id, sender_id, group_id, actor)
    ON CONFLICT (account_id, contact_id, sender_id) WHERE closed_at IS NULL DO UPDATE SET
      last_message_at = now(),
      last_inbound_at = coalesce(excluded.last_inbound_at, cv.last_inbound_at)
    RETURNING cv.id, cv.contact_id, cv.sender_id, (cv.xmax = 0) AS inserted
  `.execute(db)
  return rows
}

/**
 * Inbound to a contact with no open conversation with the sender reopens their most recently closed
 * one (docs/api/conversations.md), so the thread keeps its history; only one still
 * in the sender's current group, since the message must land in that group's inbox. Racing inbound
 * messages meet on the row lock (the loser re-checks `closed_at` and updates nothing). A writer that
 * opened a new conversation first makes this update break the partial unique index: the savepoint
 * turns that into "nothing reopened" and openConversations then finds the winner's row.
 */
export async function reopenConversation(
  tx: Tx,
  accountId: string,
  key: ConversationKey,
  actor: ActorShape
): Promise<string | undefined> {
  await sql`SAVEPOINT reopen_conversation`.execute(tx)
  try {
    const { rows } = await sql<{ id: string }>`
      UPDATE conversations SET closed_at = NULL, updated_at = now(), updated_by = ${actorJson(actor)}::jsonb
      WHERE closed_at IS NOT NULL AND id = (
        SELECT cv.id FROM conversations cv
        WHERE cv.account_id = ${accountId} AND cv.contact_id = ${key.contactId} AND cv.sender_id = ${key.senderId}
          AND cv.group_id IS NOT DISTINCT FROM ${key.groupId} AND cv.closed_at IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM conversations o
            WHERE o.account_id = cv.account_id AND o.contact_id = cv.contact_id AND o.sender_id = cv.sender_id AND o.closed_at IS NULL
          )
        ORDER BY cv.closed_at DESC, cv.id DESC LIMIT 1
      )
      RETURNING id
    `.execute(tx)
    await sql`RELEASE SAVEPOINT reopen_conversation`.execute(tx)
    return rows[0]?.id
  } catch (error) {
    if (!isUniqueViolation(error, 'conversations_open_key')) throw error
    await sql`ROLLBACK TO SAVEPOINT reopen_conversation`.execute(tx)
    return undefined
  }
}

// The group members for whom the conversation has an inbound message they have not read.
const unreadBy = sql<string[]>`(
  SELECT coalesce(array_agg(gu.user_id ORDER BY gu.user_id), '{}')
  FROM group_users gu
  LEFT JOIN conversation_reads r ON r.conversation_id = cv.id AND r.user_id = gu.user_id
  WHERE gu.group_id = cv.group_id AND cv.last_inbound_at > coalesce(r.read_at, '-infinity')
)`

const lockUser = sql<UserName | null>`(
  SELECT jsonb_build_object('id', u.id, 'firstName', u.first_name, 'lastName', u.last_name)
  FROM users u WHERE u.id = cv.lock_user_id AND cv.lock_expires_at > now()
)`

// A conversation's assignee is its contact's assigned user while that user is a member of the
// conversation's group; in any other group the contact reads as unassigned, so no group's inbox shows
// (or filters by) a user who is not one of its members (docs/shared-inbox.md, "Assignment across groups").
const assignedUser = sql<ConversationView['assigned_user']>`(
  SELECT jsonb_build_object('id', u.id, 'firstName', u.first_name, 'lastName', u.last_name, 'email', u.email)
  FROM users u JOIN group_users gu ON gu.user_id = u.id AND gu.group_id = cv.group_id
  WHERE u.id = c.assigned_user_id
)`

/** The conversation's contact has an assignee who is a member of its group: that one, or any. */
function assignedTo(userId: string | undefined) {
  return sql<boolean>`EXISTS (
    SELECT 1 FROM contacts ac JOIN group_users agu ON agu.user_id = ac.assigned_user_id AND agu.group_id = cv.group_id
    WHERE ac.id = cv.contact_id${userId === undefined ? sql`` : sql` AND ac.assigned_user_id = ${userId}`}
  )`
}

const lastMessageId = sql<string | null>`(
  SELECT m.id FROM messages m WHERE m.conversation_id = cv.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1
)`

function selectConversationViews(db: DbOrTx, accountId: string) {
  return db
    .selectFrom('conversations as cv')
    .innerJoin('contacts as c', 'c.id', 'cv.contact_id')
    .innerJoin('senders as s', 's.id', 'cv.sender_id')
    .leftJoin('groups as g', 'g.id', 'cv.group_id')
    .selectAll('cv')
    .select([
      'c.first_name as contact_first_name',
      'c.last_name as contact_last_name',
      'c.email as contact_email',
      'c.mobile as contact_mobile',
      'c.country as contact_country',
      's.number as sender_number',
      's.country as sender_country',
      sql<boolean>`s.status = 'active' AND s.deleted_at IS NULL`.as('sender_active'),
      'g.name as group_name',
      lastMessageId.as('last_message_id'),
      unreadBy.as('unread'),
      lockUser.as('lock_user'),
      assignedUser.as('assigned_user')
    ])
    .where('cv.account_id', '=', accountId)
}

export async function findConversationView(
  db: DbOrTx,
  accountId: string,
  conversationId: string,
  scope: GroupScope
): Promise<ConversationView | undefined> {
  let query = selectConversationViews(db, accountId).where('cv.id', '=', conversationId)
  if (scope) query = query.where('cv.group_id', 'in', scope)
  return await query.executeTakeFirst()
}

export async function findConversations(
  db: DbOrTx,
  accountId: string,
  conversationIds: readonly string[],
  scope: GroupScope
): Promise<ConversationRow[]> {
  if (conversationIds.length === 0) return []
  let query = db
    .selectFrom('conversations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', 'in', conversationIds)
  if (scope) query = query.where('group_id', 'in', scope)
  return await query.execute()
}

export interface ConversationFilter extends PageRequest {
  groupId?: string
  closed?: boolean
  contactId?: string
  unread?: boolean
  /** A user id, or null for the unassigned: no assignee, or one who is not a member of the group. */
  assignedUserId?: string | null
}

export async function listConversations(
  db: DbOrTx,
  principal: Principal,
  scope: GroupScope,
  filter: ConversationFilter
): Promise<Page<ConversationView>> {
  let filtered = db.selectFrom('conversations as cv').where('cv.account_id', '=', principal.accountId)
  if (scope) filtered = filtered.where('cv.group_id', 'in', scope)
  if (filter.groupId !== undefined) filtered = filtered.where('cv.group_id', '=', filter.groupId)
  if (filter.closed !== undefined) filtered = filtered.where('cv.closed_at', filter.closed ? 'is not' : 'is', null)
  if (filter.contactId !== undefined) filtered = filtered.where('cv.contact_id', '=', filter.contactId)
  if (filter.assignedUserId !== undefined)
    filtered = filtered.where(
      filter.assignedUserId === null ? sql<boolean>`NOT ${assignedTo(undefined)}` : assignedTo(filter.assignedUserId)
    )
  if (filter.unread !== undefined) {
    // For an acting user: unread by them. For an account-wide credential: read by nobody since the last inbound message.
    const lastRead = principal.user
      ? sql`(SELECT r.read_at FROM conversation_reads r WHERE r.conversation_id = cv.id AND r.user_id = ${principal.user.id})`
      : sql`(SELECT max(r.read_at) FROM conversation_reads r WHERE r.conversation_id = cv.id)`
    const unread = sql<boolean>`coalesce(cv.last_inbound_at > coalesce(${lastRead}, '-infinity'), false)`
    filtered = filtered.where(filter.unread ? unread : sql<boolean>`NOT ${unread}`)
  }
  const page = await filtered
    .select('cv.id')
    .orderBy('cv.last_message_at', 'desc')
    .orderBy('cv.id', 'desc')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  const { totalCount: count } = await withTotalCount(filter, page, () => countRows(filtered))
  const ids = page.map((row) => row.id)
  const views =
    ids.length === 0 ? [] : await selectConversationViews(db, principal.accountId).where('cv.id', 'in', ids).execute()
  const byId = new Map(views.map((view) => [view.id, view]))
  return { items: ids.flatMap((id) => byId.get(id) ?? []), totalCount: count }
}

export async function closeConversationRow(
  db: DbOrTx,
  accountId: string,
  conversationId: string,
  actor: ActorShape
): Promise<boolean> {
  const closed = await db
    .updateTable('conversations')
    .set({ closed_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', conversationId)
    .where('closed_at', 'is', null)
    .executeTakeFirst()
  return closed.numUpdatedRows > 0n
}

export async function markRead(db: DbOrTx, conversationId: string, userId: string): Promise<void> {
  await db
    .insertInto('conversation_reads')
    .values({ conversation_id: conversationId, user_id: userId, read_at: sql<Date>`now()` })
    .onConflict((conflict) =>
      conflict.columns(['conversation_id', 'user_id']).doUpdateSet({ read_at: sql<Date>`now()` })
    )
    .execute()
}

/**
 * Claims the away reply of this conversation for this away period. The primary key makes concurrent
 * inbound messages (on any instance) meet on one row: the first claims it, the others wait for its
 * commit and find it taken.
 */
export async function claimAwayReply(tx: Tx, conversationId: string, period: string): Promise<boolean> {
  const claimed = await tx
    .insertInto('away_replies')
    .values({ conversation_id: conversationId, period })
    .onConflict((conflict) => conflict.columns(['conversation_id', 'period']).doNothing())
    .returning('period')
    .executeTakeFirst()
  return claimed !== undefined
}

/**
 * The groups other than `groupId` in which a change of the contact's assignee between these users
 * would show: those with a conversation with the contact (open or archived) of which either user
 * is a member.
 */
export async function otherGroupsShowingAssignee(
  db: DbOrTx,
  accountId: string,
  contactId: string,
  groupId: string,
  userIds: readonly string[]
): Promise<string[]> {
  if (userIds.length === 0) return []
  const rows = await db
    .selectFrom('conversations as cv')
    .innerJoin('group_users as gu', 'gu.group_id', 'cv.group_id')
    .select('cv.group_id')
    .distinct()
    .where('cv.account_id', '=', accountId)
    .where('cv.contact_id', '=', contactId)
    .where('cv.group_id', '<>', groupId)
    .where('gu.user_id', 'in', userIds)
    .execute()
  return rows.flatMap((row) => row.group_id ?? [])
}
