import type { Db, DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { findContactRows, findContacts } from '../contacts/contacts.repository.ts'
import type { ContactView } from '../contacts/contacts.table.ts'
import { audiencePage, countAudience, listCondition } from '../audience/audience.repository.ts'
import {
  addListMembers,
  deleteList,
  findList,
  insertList,
  listLists,
  removeListMember,
  updateList
} from './lists.repository.ts'
import type { ListRequestShape, ListShape, ListUpdateShape } from './lists.schemas.ts'
import { toList } from './lists.mapper.ts'
import type { ListRow } from './lists.table.ts'

function notFound(listId: string): ApiError {
  return new ApiError('LIST-001', `List ${listId} not found`)
}

export async function requireList(db: DbOrTx, accountId: string, listId: string): Promise<ListRow> {
  const list = await findList(db, accountId, listId)
  if (!list) throw notFound(listId)
  return list
}

async function view(db: DbOrTx, accountId: string, list: ListRow): Promise<ListShape> {
  return toList(list, await countAudience(db, accountId, await listCondition(db, accountId, list)))
}

async function assertContactsExist(db: DbOrTx, accountId: string, contactIds: readonly string[]): Promise<void> {
  const found = new Set((await findContactRows(db, accountId, contactIds)).map((row) => row.id))
  const missing = contactIds.find((id) => !found.has(id))
  if (missing !== undefined) throw new ApiError('CONT-002', `Contact ${missing} not found`)
}

function staticOnly(list: ListRow): void {
  if (list.filter !== null)
    throw new ApiError('LIST-003', `List ${list.id} is dynamic: its members are the contacts its filter matches`)
}

export async function createList(
  db: Db,
  accountId: string,
  body: ListRequestShape,
  actor: ActorShape
): Promise<ListShape> {
  if (body.filter !== undefined && body.contacts !== undefined)
    throw new ApiError('LIST-002', 'body: give filter (a dynamic list) or contacts (a static list), not both')
  const contactIds = [...new Set(body.contacts ?? [])]
  return await db.transaction().execute(async (tx) => {
    await assertContactsExist(tx, accountId, contactIds)
    const list = await insertList(tx, accountId, { id: newId(), name: body.name, filter: body.filter ?? null }, actor)
    await addListMembers(tx, accountId, list.id, contactIds)
    return await view(tx, accountId, list)
  })
}

export async function getList(db: DbOrTx, accountId: string, listId: string): Promise<ListShape> {
  return await view(db, accountId, await requireList(db, accountId, listId))
}

export async function fetchLists(
  db: DbOrTx,
  accountId: string,
  query: PageRequest & { name?: string }
): Promise<Page<ListShape>> {
  const page = await listLists(db, accountId, query)
  const items: ListShape[] = []
  for (const list of page.items) items.push(await view(db, accountId, list))
  return { items, totalCount: page.totalCount }
}

export async function changeList(
  db: DbOrTx,
  accountId: string,
  listId: string,
  changes: ListUpdateShape,
  actor: ActorShape
): Promise<ListShape> {
  if (changes.filter !== undefined && (await requireList(db, accountId, listId)).filter === null)
    throw new ApiError('LIST-002', `List ${listId} is static: its members are added by contact id, not by a filter`)
  const list = await updateList(db, accountId, listId, changes, actor)
  if (!list) throw notFound(listId)
  return await view(db, accountId, list)
}

export async function removeList(db: DbOrTx, accountId: string, listId: string): Promise<void> {
  if (!(await deleteList(db, accountId, listId))) throw notFound(listId)
}

export async function addMembers(
  db: Db,
  accountId: string,
  listId: string,
  contactIds: readonly string[]
): Promise<{ added: number; counts: ListShape['counts'] }> {
  return await db.transaction().execute(async (tx) => {
    const list = await requireList(tx, accountId, listId)
    staticOnly(list)
    const unique = [...new Set(contactIds)]
    await assertContactsExist(tx, accountId, unique)
    const added = await addListMembers(tx, accountId, listId, unique)
    return { added, counts: (await view(tx, accountId, list)).counts }
  })
}

export async function removeMember(db: DbOrTx, accountId: string, listId: string, contactId: string): Promise<void> {
  staticOnly(await requireList(db, accountId, listId))
  if (!(await removeListMember(db, accountId, listId, contactId)))
    throw new ApiError('LIST-004', `Contact ${contactId} is not a member of list ${listId}`)
}

export async function fetchMembers(
  db: DbOrTx,
  accountId: string,
  listId: string,
  page: PageRequest
): Promise<Page<ContactView>> {
  const list = await requireList(db, accountId, listId)
  const ids = await audiencePage(db, accountId, await listCondition(db, accountId, list), page)
  return { items: await findContacts(db, accountId, ids.items), totalCount: ids.totalCount }
}
