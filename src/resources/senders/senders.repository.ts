import { sql } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import { parsePhone } from '../../shared/phone.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { usableGroupIdsQuery } from '../groups/group-access.ts'
import type { SenderType } from '../../shared/sender-types.ts'
import type { Capability, SenderRow, SendersTable, SenderStatus, SenderDetailsRow } from './senders.table.ts'
import { columnsOf, selectList } from '../../db/columns.ts'
import { countRows, withTotalCount } from '../../db/count.ts'

export interface NewSender {
  id: string
  number: string
  country: string | null
  diallingCode: string
  type: SenderType
  capabilities: Capability[]
  carrier: string
  throughput: number | null
  status: SenderStatus
  groupId: string | null
}

export interface SenderChanges {
  type?: SenderType
  capabilities?: Capability[]
  carrier?: string
  throughput?: number | null
  status?: SenderStatus
}

/** Group ids that limit a read; undefined reads every sender of the account. */
type GroupScope = ReturnType<typeof usableGroupIdsQuery>

function liveSenders(db: DbOrTx, accountId: string, scope: GroupScope) {
  let query = db
    .selectFrom('senders as s')
    .leftJoin('groups as g', 'g.id', 's.group_id')
    .where('s.account_id', '=', accountId)
    .where('s.deleted_at', 'is', null)
  if (scope) query = query.where('s.group_id', 'in', scope)
  return query
}

export async function findSender(db: DbOrTx, accountId: string, senderId: string): Promise<SenderRow | undefined> {
  return await db
    .selectFrom('senders')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', senderId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

export async function findSenderDetails(
  db: DbOrTx,
  accountId: string,
  senderId: string,
  scope: GroupScope
): Promise<SenderDetailsRow | undefined> {
  return await liveSenders(db, accountId, scope)
    .selectAll('s')
    .select('g.name as group_name')
    .where('s.id', '=', senderId)
    .executeTakeFirst()
}

export async function listSenders(
  db: DbOrTx,
  accountId: string,
  scope: GroupScope,
  page: PageRequest
): Promise<Page<SenderDetailsRow>> {
  const items = await liveSenders(db, accountId, scope)
    .selectAll('s')
    .select('g.name as group_name')
    .orderBy('s.created_at')
    .orderBy('s.id')
    .offset(page.offset)
    .limit(page.limit)
    .execute()
  return await withTotalCount(page, items, () => countRows(liveSenders(db, accountId, scope)))
}

export async function countLiveSenders(db: DbOrTx, accountId: string): Promise<number> {
  return await countRows(liveSenders(db, accountId, undefined))
}

export async function insertSender(db: DbOrTx, accountId: string, sender: NewSender, actor: ActorShape): Promise<void> {
  await db
    .insertInto('senders')
    .values({
      id: sender.id,
      account_id: accountId,
      number: sender.number,
      country: sender.country,
      dialling_code: sender.diallingCode,
      type: sender.type,
      capabilities: sender.capabilities,
      carrier: sender.carrier,
      throughput: sender.throughput,
      status: sender.status,
      group_id: sender.groupId,
      created_by: actorJson(actor),
      updated_by: actorJson(actor)
    })
    .execute()
}

/** Answers whether a live sender was changed. */
export async function updateSender(
  db: DbOrTx,
  accountId: string,
  senderId: string,
  changes: SenderChanges,
  actor: ActorShape
): Promise<boolean> {
  const result = await db
    .updateTable('senders')
    .set({
      type: changes.type,
      capabilities: changes.capabilities,
      carrier: changes.carrier,
      throughput: changes.throughput,
      status: changes.status,
      updated_at: new Date(),
      updated_by: actorJson(actor)
    })
    .where('account_id', '=', accountId)
    .where('id', '=', senderId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Soft delete: the number is free again, and the sender leaves its group. */
export async function deleteSender(
  db: DbOrTx,
  accountId: string,
  senderId: string,
  actor: ActorShape
): Promise<boolean> {
  const result = await db
    .updateTable('senders')
    .set({ deleted_at: new Date(), group_id: null, updated_at: new Date(), updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', senderId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Puts a live sender in the group unless it is in another one; answers whether it is now there.
 * Two groups racing for one sender: the second update waits for the first, then finds it taken.
 */
export async function attachSender(
  db: DbOrTx,
  accountId: string,
  senderId: string,
  groupId: string,
  actor: ActorShape
): Promise<boolean> {
  const result = await db
    .updateTable('senders')
    .set({ group_id: groupId, updated_at: new Date(), updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', senderId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('group_id', 'is', null), eb('group_id', '=', groupId)]))
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function detachSender(
  db: DbOrTx,
  accountId: string,
  senderId: string,
  groupId: string,
  actor: ActorShape
): Promise<boolean> {
  const result = await db
    .updateTable('senders')
    .set({ group_id: null, updated_at: new Date(), updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', senderId)
    .where('group_id', '=', groupId)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** The live senders of a group: the numbers a send from that group can use. */
export async function listGroupSenders(db: DbOrTx, accountId: string, groupId: string): Promise<SenderRow[]> {
  return await db
    .selectFrom('senders')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('group_id', '=', groupId)
    .where('deleted_at', 'is', null)
    .execute()
}

/** Senders by id, deleted ones included (a reply names its conversation's sender, which may be gone). */
export async function findSendersByIds(
  db: DbOrTx,
  accountId: string,
  senderIds: readonly string[]
): Promise<SenderRow[]> {
  if (senderIds.length === 0) return []
  return await db
    .selectFrom('senders')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', 'in', senderIds)
    .execute()
}

const senderColumns = selectList(
  columnsOf<SendersTable>({
    id: 0,
    account_id: 0,
    number: 0,
    country: 0,
    dialling_code: 0,
    type: 0,
    capabilities: 0,
    carrier: 0,
    throughput: 0,
    status: 0,
    group_id: 0,
    created_at: 0,
    created_by: 0,
    updated_at: 0,
    updated_by: 0,
    deleted_at: 0
  }),
  's'
)

/**
 * The live sender with this number (as given, or in E.164), in any account: a live number belongs to
 * one sender in the whole installation (unique index senders_number_key), so a carrier's inbound
 * message finds its account through it.
 */
export async function findLiveSenderByNumber(db: DbOrTx, number: string): Promise<SenderRow | undefined> {
  const e164 = parsePhone(number)?.e164 ?? number
  const { rows } = await sql<SenderRow>`/* prepared live_sender_by_number */
    SELECT ${senderColumns} FROM senders s
    WHERE s.deleted_at IS NULL AND s.number = ANY(${[number, e164]}::text[])
    LIMIT 1`.execute(db)
  return rows[0]
}

/**
 * Live sender numbers of the whole installation that match a LIKE pattern, in a transaction that
 * holds the allocation lock, so two accounts created together never pick the same free number.
 */
export async function lockedSenderNumbersLike(tx: Tx, pattern: string): Promise<Set<string>> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('parley.sender-number-allocation'))`.execute(tx)
  const rows = await tx
    .selectFrom('senders')
    .select('number')
    .where('number', 'like', pattern)
    .where('deleted_at', 'is', null)
    .execute()
  return new Set(rows.map((row) => row.number))
}
