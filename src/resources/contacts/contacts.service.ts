import type { Db, DbOrTx, Tx } from '../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { recordEvent } from '../events/events.repository.ts'
import type { EventType } from '../events/events.table.ts'
import { queueMail } from '../mail/mail.service.ts'
import { findUser } from '../users/users.repository.ts'
import { orThrow } from '../../errors/refusal.ts'
import { AttributeCatalog, parseMobile, uniqueTags, UserDirectory } from './contact-values.ts'
import {
  deleteContactRow,
  findContact,
  lockContact,
  reachabilityChanges,
  tagRemoved,
  tagsAdded,
  updateContactRow,
  upsertContacts,
  type ContactChanges,
  type ContactInput,
  type ReachabilityChange
} from './contacts.repository.ts'
import type { ContactView } from './contacts.table.ts'
import type { ContactRequestShape, ContactUpdateShape, MergeStrategy } from './contacts.schemas.ts'
import { toContact } from './contacts.mapper.ts'
import type { ContactRow, TagShape } from './contacts.table.ts'

async function assignedUserId(
  db: DbOrTx,
  accountId: string,
  assignee: ContactUpdateShape['assignedUser']
): Promise<string | undefined> {
  const key = assignee?.id ?? assignee?.email
  if (!key) return undefined
  return orThrow((await UserDirectory.load(db, accountId)).resolve(key))
}

async function checkedAttributes(db: DbOrTx, accountId: string, attributes: Record<string, unknown>) {
  const catalog = await AttributeCatalog.load(db, accountId)
  return orThrow(catalog.check(Object.entries(attributes)))
}

export async function requireContact(db: DbOrTx, accountId: string, contactId: string): Promise<ContactView> {
  const contact = await findContact(db, accountId, contactId)
  if (!contact) throw new ApiError('CONT-002', `Contact ${contactId} not found`)
  return contact
}

/** Creates the contact, or merges into the one with the same number as `strategy` says. */
export async function createContact(
  db: Db,
  accountId: string,
  body: ContactRequestShape,
  strategy: MergeStrategy,
  actor: ActorShape
): Promise<ContactView> {
  const input: ContactInput = {
    ...orThrow(parseMobile(body.mobile.number, body.mobile.country)),
    firstName: body.firstName,
    lastName: body.lastName,
    email: body.email,
    tags: body.tags ? uniqueTags(body.tags) : undefined,
    attributes: body.attributes ? await checkedAttributes(db, accountId, body.attributes) : undefined,
    assignedUserId: await assignedUserId(db, accountId, body.assignedUser)
  }
  return await db.transaction().execute(async (tx) => {
    const [row] = await upsertContacts(tx, accountId, [{ ...input, id: newId() }], strategy, actor)
    await recordEvent(tx, accountId, row!.inserted ? 'contact-created' : 'contact-updated', toContact(row!))
    return row!
  })
}

/** Applies changes to one contact and records its event in the same transaction. */
async function changeContact(
  db: Db,
  accountId: string,
  contactId: string,
  changes: ContactChanges,
  event: EventType,
  actor: ActorShape
): Promise<ContactView> {
  return await db
    .transaction()
    .execute(async (tx) => await changeContactIn(tx, accountId, contactId, changes, event, actor))
}

export async function changeContactIn(
  tx: Tx,
  accountId: string,
  contactId: string,
  changes: ContactChanges,
  event: EventType,
  actor: ActorShape
): Promise<ContactView> {
  if (!(await lockContact(tx, accountId, contactId))) throw new ApiError('CONT-002', `Contact ${contactId} not found`)
  let updated: ContactView | undefined
  try {
    updated = await updateContactRow(tx, accountId, contactId, changes, actor)
  } catch (error) {
    if (isUniqueViolation(error, 'contacts_account_mobile_key'))
      throw new ApiError('CONT-003', 'Another contact of this account already has this mobile number')
    throw error
  }
  await recordEvent(tx, accountId, event, toContact(updated!))
  return updated!
}

/**
 * Mails a contact's new assignee, in the assigning transaction, when someone else assigned them and
 * they chose to hear of it (notifyOnAssignment); assigning oneself, or whom it already was, does not.
 */
async function mailAssignee(
  tx: Tx,
  deps: Pick<Deps, 'queue' | 'config'>,
  accountId: string,
  before: ContactRow,
  after: ContactView,
  actor: ActorShape
): Promise<void> {
  const userId = after.assigned_user_id
  if (userId === null || userId === before.assigned_user_id || userId === actor.id) return
  const assignee = await findUser(tx, accountId, userId)
  if (!assignee?.notify_on_assignment) return
  await queueMail(tx, deps, {
    accountId,
    to: assignee.email,
    kind: 'contact-assigned',
    data: {
      recipientName: `${assignee.first_name} ${assignee.last_name}`.trim() || assignee.email,
      contactId: after.id,
      contactName: [after.first_name, after.last_name].filter(Boolean).join(' ') || after.mobile,
      assignedBy: actor.name ?? actor.id
    }
  })
}

/** PUT: each field given replaces the stored one (tags and attributes as whole lists); fields not given are kept. */
export async function updateContact(
  { db, queue, config }: Pick<Deps, 'db' | 'queue' | 'config'>,
  accountId: string,
  contactId: string,
  body: ContactUpdateShape,
  actor: ActorShape
): Promise<ContactView> {
  const changes: ContactChanges = {}
  if (body.firstName !== undefined) changes.first_name = body.firstName || null
  if (body.lastName !== undefined) changes.last_name = body.lastName || null
  if (body.email !== undefined) changes.email = body.email || null
  if (body.mobile) {
    const { mobile, country } = orThrow(parseMobile(body.mobile.number, body.mobile.country))
    Object.assign(changes, { mobile, country })
  }
  if (body.tags) changes.tags = JSON.stringify(uniqueTags(body.tags))
  if (body.attributes) changes.attributes = JSON.stringify(await checkedAttributes(db, accountId, body.attributes))
  if (body.assignedUser !== undefined)
    changes.assigned_user_id = (await assignedUserId(db, accountId, body.assignedUser)) ?? null
  return await db.transaction().execute(async (tx) => {
    const before = await lockContact(tx, accountId, contactId)
    if (!before) throw new ApiError('CONT-002', `Contact ${contactId} not found`)
    const updated = await changeContactIn(tx, accountId, contactId, changes, 'contact-updated', actor)
    await mailAssignee(tx, { queue, config }, accountId, before, updated, actor)
    return updated
  })
}

export async function deleteContact(db: Db, accountId: string, contactId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const contact = await requireContact(tx, accountId, contactId)
    // A concurrent delete may win between the read and the delete: only the one that removed the row reports it.
    if (!(await deleteContactRow(tx, accountId, contactId)))
      throw new ApiError('CONT-002', `Contact ${contactId} not found`)
    await recordEvent(tx, accountId, 'contact-removed', toContact(contact))
  })
}

export async function addTags(
  db: Db,
  accountId: string,
  contactId: string,
  tags: TagShape[],
  actor: ActorShape
): Promise<ContactView> {
  return await changeContact(db, accountId, contactId, tagsAdded(uniqueTags(tags)), 'contact-updated', actor)
}

export async function removeTag(
  db: Db,
  accountId: string,
  contactId: string,
  tag: string,
  actor: ActorShape
): Promise<ContactView> {
  return await changeContact(db, accountId, contactId, tagRemoved(tag), 'contact-updated', actor)
}

const reachabilityEvents = {
  'opt-out': 'contact-opt-out',
  'opt-in': 'contact-opt-in',
  block: 'contact-updated',
  unblock: 'contact-updated'
} as const satisfies Record<ReachabilityChange, EventType>

/** The one place opt-out, opt-in and block state changes; inbound STOP/START keywords use it too. */
export async function changeReachability(
  db: Db,
  accountId: string,
  contactId: string,
  change: ReachabilityChange,
  actor: ActorShape
): Promise<ContactView> {
  return await db
    .transaction()
    .execute(async (tx) => await changeReachabilityIn(tx, accountId, contactId, change, actor))
}

/** changeReachability inside the caller's transaction (an inbound STOP changes the contact with the message that asked). */
export async function changeReachabilityIn(
  tx: Tx,
  accountId: string,
  contactId: string,
  change: ReachabilityChange,
  actor: ActorShape
): Promise<ContactView> {
  return await changeContactIn(tx, accountId, contactId, reachabilityChanges[change], reachabilityEvents[change], actor)
}
