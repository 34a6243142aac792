import type { Db } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { removeAttributeValues } from '../contacts/contacts.repository.ts'
import { toContact } from '../contacts/contacts.mapper.ts'
import { recordEvents } from '../events/events.repository.ts'
import {
  countContactsWithAttribute,
  deleteAttribute,
  findAttribute,
  insertAttribute,
  updateAttribute
} from './attributes.repository.ts'
import { RESERVED_NAMES, type AttributeInput } from './attributes.schemas.ts'
import type { AttributeDefinitionRow } from './attributes.table.ts'

function assertNotReserved(name: string): void {
  if (RESERVED_NAMES.includes(name.toLowerCase()))
    throw new ApiError('ATTR-006', `Attribute name ${name} is reserved for a core contact field`)
}

async function uniqueName<T>(write: () => Promise<T>, name: string): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (isUniqueViolation(error, 'attribute_definitions_name_key'))
      throw new ApiError('ATTR-004', `An attribute named ${name} already exists`)
    throw error
  }
}

export async function requireAttribute(
  db: Db,
  accountId: string,
  attributeId: string
): Promise<AttributeDefinitionRow> {
  const row = await findAttribute(db, accountId, attributeId)
  if (!row) throw new ApiError('ATTR-003', `Attribute ${attributeId} not found`)
  return row
}

export async function createAttribute(
  db: Db,
  accountId: string,
  input: AttributeInput,
  actor: ActorShape
): Promise<AttributeDefinitionRow> {
  assertNotReserved(input.name)
  return await uniqueName(
    () =>
      insertAttribute(
        db,
        accountId,
        {
          id: newId(),
          name: input.name,
          label: input.label ?? input.name,
          dataType: input.dataType ?? 'text'
        },
        actor
      ),
    input.name
  )
}

/**
 * The label can always change. Name and data type are what stored values are keyed and checked by,
 * so they change only while no contact has a value; renaming values silently would surprise imports.
 */
export async function changeAttribute(
  db: Db,
  accountId: string,
  attributeId: string,
  input: Partial<AttributeInput>,
  actor: ActorShape
): Promise<AttributeDefinitionRow> {
  return await db.transaction().execute(async (tx) => {
    const current = await findAttribute(tx, accountId, attributeId)
    if (!current) throw new ApiError('ATTR-003', `Attribute ${attributeId} not found`)
    const renamed = input.name !== undefined && input.name !== current.name
    const retyped = input.dataType !== undefined && input.dataType !== current.data_type
    if (renamed) assertNotReserved(input.name!)
    if ((renamed || retyped) && (await countContactsWithAttribute(tx, accountId, current.name)) > 0) {
      throw new ApiError('ATTR-005', `Attribute ${current.name} has values on contacts; only its label can change`)
    }
    const updated = await uniqueName(
      () => updateAttribute(tx, accountId, attributeId, input, actor),
      input.name ?? current.name
    )
    return updated!
  })
}

/** Refused while contacts hold values, unless the caller asks for those values to be removed too. */
export async function removeAttribute(
  db: Db,
  accountId: string,
  attributeId: string,
  removeValues: boolean,
  actor: ActorShape
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const current = await findAttribute(tx, accountId, attributeId)
    if (!current) throw new ApiError('ATTR-003', `Attribute ${attributeId} not found`)
    const inUse = await countContactsWithAttribute(tx, accountId, current.name)
    if (inUse > 0 && !removeValues) {
      throw new ApiError(
        'ATTR-005',
        `Attribute ${current.name} has values on ${inUse} contact(s); delete with removeValues=true to remove them too`
      )
    }
    if (inUse > 0) {
      for await (const changed of removeAttributeValues(tx, accountId, current.name, actor)) {
        await recordEvents(
          tx,
          accountId,
          changed.map((row) => ({ type: 'contact-updated', payload: toContact(row) }))
        )
      }
    }
    await deleteAttribute(tx, accountId, attributeId)
  })
}
