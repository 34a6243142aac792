import { randomBytes } from 'node:crypto'
import type { Db, DbOrTx, Tx } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { ApiError } from '../../errors/api-error.ts'
import { orThrow } from '../../errors/refusal.ts'
import { officeHoursRefusal } from '../../lib/office-hours.ts'
import { newId } from '../../shared/ids.ts'
import { parsePhone } from '../../shared/phone.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { attachSender, detachSender, findSender } from '../senders/senders.repository.ts'
import { findUser } from '../users/users.repository.ts'
import {
  clearDefaultGroup,
  deleteGroupUser,
  deleteNonDefaultGroup,
  findGroupDetails,
  insertGroup,
  insertGroupUser,
  updateGroup,
  type GroupValues,
  resolveGroup
} from './groups.repository.ts'
import type { GroupDetailsRow } from './groups.table.ts'
import { defaultOfficeHours, type GroupRequestShape, type GroupUpdateShape } from './groups.schemas.ts'
import type { GroupRow } from './groups.table.ts'

/** "Team (+12345678901)" becomes "team-12345678901-3f9a": readable, and unlikely to collide. */
function generateApiCode(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '')
  return `${slug || 'group'}-${randomBytes(2).toString('hex')}`
}

function checked(request: GroupUpdateShape): Partial<GroupValues> {
  if (request.officeHours) orThrow(officeHoursRefusal(request.officeHours))
  let callForwarding = request.callForwarding
  if (callForwarding) {
    const parsed = parsePhone(callForwarding)
    if (!parsed) throw new ApiError('GRP-008', `callForwarding ${callForwarding} is not an E.164 phone number`)
    callForwarding = parsed.e164
  }
  return { ...request, callForwarding, tags: request.tags && [...new Set(request.tags)] }
}

function conflictOf(error: unknown): unknown {
  if (isUniqueViolation(error, 'groups_account_api_code_key')) return new ApiError('GRP-002')
  if (isUniqueViolation(error, 'groups_account_default_key')) return new ApiError('GRP-006')
  if (isUniqueViolation(error, 'senders_group_dialling_code_key')) return new ApiError('GRP-003')
  // A group deleted between our read and our write.
  if ((error as { code?: string }).code === '23503') return new ApiError('GRP-001')
  return error
}

async function requireGroup(db: DbOrTx, accountId: string, idOrApiCode: string): Promise<GroupRow> {
  const group = await resolveGroup(db, accountId, idOrApiCode)
  if (!group) throw new ApiError('GRP-001', `Group ${idOrApiCode} not found`)
  return group
}

async function detailsOf(db: DbOrTx, accountId: string, groupId: string): Promise<GroupDetailsRow> {
  const group = await findGroupDetails(db, accountId, groupId)
  if (!group) throw new ApiError('GRP-001')
  return group
}

export async function createGroup(
  db: Db,
  accountId: string,
  request: GroupRequestShape,
  actor: ActorShape
): Promise<GroupDetailsRow> {
  const given = checked(request)
  for (let attempt = 1; ; attempt++) {
    const values: GroupValues = {
      name: request.name,
      apiCode: request.apiCode ?? generateApiCode(request.name),
      color: given.color ?? null,
      callForwarding: given.callForwarding ?? null,
      isDefault: request.isDefault ?? false,
      tags: given.tags ?? [],
      officeHours: given.officeHours ?? defaultOfficeHours
    }
    try {
      return await db.transaction().execute(async (tx) => {
        const id = newId()
        if (values.isDefault) await clearDefaultGroup(tx, accountId)
        await insertGroup(tx, accountId, id, values, actor)
        return await detailsOf(tx, accountId, id)
      })
    } catch (error) {
      // A generated code that collides is retried with a new suffix; a chosen one is the caller's conflict.
      if (request.apiCode === undefined && attempt < 3 && isUniqueViolation(error, 'groups_account_api_code_key'))
        continue
      throw conflictOf(error)
    }
  }
}

/** "My First Group", created with the account and holding its first user. */
export async function createFirstGroup(
  tx: Tx,
  accountId: string,
  userId: string,
  actor: ActorShape
): Promise<GroupRow> {
  const name = 'My First Group'
  const group = await insertGroup(
    tx,
    accountId,
    newId(),
    {
      name,
      apiCode: generateApiCode(name),
      color: null,
      callForwarding: null,
      isDefault: true,
      tags: [],
      officeHours: defaultOfficeHours
    },
    actor
  )
  await insertGroupUser(tx, accountId, group.id, userId, actor)
  return group
}

export async function changeGroup(
  db: Db,
  accountId: string,
  idOrApiCode: string,
  request: GroupUpdateShape,
  actor: ActorShape
): Promise<GroupDetailsRow> {
  const given = checked(request)
  try {
    return await db.transaction().execute(async (tx) => {
      const group = await requireGroup(tx, accountId, idOrApiCode)
      if (request.isDefault === false && group.is_default) throw new ApiError('GRP-005')
      if (request.isDefault === true && !group.is_default) await clearDefaultGroup(tx, accountId)
      await updateGroup(tx, accountId, group.id, given, actor)
      return await detailsOf(tx, accountId, group.id)
    })
  } catch (error) {
    throw conflictOf(error)
  }
}

export async function removeGroup(db: Db, accountId: string, idOrApiCode: string): Promise<void> {
  const group = await requireGroup(db, accountId, idOrApiCode)
  if (await deleteNonDefaultGroup(db, accountId, group.id)) return
  // Not deleted: it is (or has meanwhile become) the default, or someone else deleted it first.
  throw new ApiError((await resolveGroup(db, accountId, group.id))?.is_default ? 'GRP-004' : 'GRP-001')
}

export async function addGroupUser(
  db: Db,
  accountId: string,
  idOrApiCode: string,
  userId: string,
  actor: ActorShape
): Promise<GroupDetailsRow> {
  const group = await requireGroup(db, accountId, idOrApiCode)
  if (!(await findUser(db, accountId, userId))) throw new ApiError('USER-001')
  try {
    await insertGroupUser(db, accountId, group.id, userId, actor)
  } catch (error) {
    throw conflictOf(error)
  }
  return await detailsOf(db, accountId, group.id)
}

export async function removeGroupUser(
  db: Db,
  accountId: string,
  idOrApiCode: string,
  userId: string
): Promise<GroupDetailsRow> {
  const group = await requireGroup(db, accountId, idOrApiCode)
  if (!(await deleteGroupUser(db, accountId, group.id, userId))) {
    throw new ApiError((await findUser(db, accountId, userId)) ? 'GRP-009' : 'USER-001')
  }
  return await detailsOf(db, accountId, group.id)
}

/** Never moves a sender out of another group: the caller removes it there first (SNDR-003). */
export async function addGroupSender(
  db: Db,
  accountId: string,
  idOrApiCode: string,
  senderId: string,
  actor: ActorShape
): Promise<GroupDetailsRow> {
  const group = await requireGroup(db, accountId, idOrApiCode)
  let attached: boolean
  try {
    attached = await attachSender(db, accountId, senderId, group.id, actor)
  } catch (error) {
    throw conflictOf(error)
  }
  if (!attached) throw new ApiError((await findSender(db, accountId, senderId)) ? 'SNDR-003' : 'SNDR-001')
  return await detailsOf(db, accountId, group.id)
}

export async function removeGroupSender(
  db: Db,
  accountId: string,
  idOrApiCode: string,
  senderId: string,
  actor: ActorShape
): Promise<GroupDetailsRow> {
  const group = await requireGroup(db, accountId, idOrApiCode)
  if (!(await detachSender(db, accountId, senderId, group.id, actor))) {
    throw new ApiError((await findSender(db, accountId, senderId)) ? 'GRP-010' : 'SNDR-001')
  }
  return await detailsOf(db, accountId, group.id)
}
