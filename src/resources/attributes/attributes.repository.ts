import { sql } from 'kysely'
import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { AttributeDefinitionRow, DataType } from './attributes.table.ts'
import { countRows, withTotalCount } from '../../db/count.ts'

export interface NewAttribute {
  id: string
  name: string
  label: string
  dataType: DataType
}

export async function insertAttribute(
  db: DbOrTx,
  accountId: string,
  attribute: NewAttribute,
  actor: ActorShape
): Promise<AttributeDefinitionRow> {
  return await db
    .insertInto('attribute_definitions')
    .values({
      id: attribute.id,
      account_id: accountId,
      name: attribute.name,
      label: attribute.label,
      data_type: attribute.dataType,
      created_by: actorJson(actor),
      updated_by: actorJson(actor)
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findAttribute(
  db: DbOrTx,
  accountId: string,
  attributeId: string
): Promise<AttributeDefinitionRow | undefined> {
  return await db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', attributeId)
    .executeTakeFirst()
}

/** Every definition of the account: accounts have tens of them, and imports and writes check values against all. */
export async function allAttributes(db: DbOrTx, accountId: string): Promise<AttributeDefinitionRow[]> {
  return await db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function listAttributes(
  db: DbOrTx,
  accountId: string,
  page: PageRequest
): Promise<Page<AttributeDefinitionRow>> {
  const all = db.selectFrom('attribute_definitions').where('account_id', '=', accountId)
  const items = await all
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .offset(page.offset)
    .limit(page.limit)
    .execute()
  return await withTotalCount(page, items, () => countRows(all))
}

export async function updateAttribute(
  db: DbOrTx,
  accountId: string,
  attributeId: string,
  changes: Partial<Omit<NewAttribute, 'id'>>,
  actor: ActorShape
): Promise<AttributeDefinitionRow | undefined> {
  return await db
    .updateTable('attribute_definitions')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.label !== undefined ? { label: changes.label } : {}),
      ...(changes.dataType !== undefined ? { data_type: changes.dataType } : {}),
      updated_at: sql<Date>`now()`,
      updated_by: actorJson(actor)
    })
    .where('account_id', '=', accountId)
    .where('id', '=', attributeId)
    .returningAll()
    .executeTakeFirst()
}

export async function deleteAttribute(db: DbOrTx, accountId: string, attributeId: string): Promise<void> {
  await db
    .deleteFrom('attribute_definitions')
    .where('account_id', '=', accountId)
    .where('id', '=', attributeId)
    .execute()
}

export async function countContactsWithAttribute(db: DbOrTx, accountId: string, name: string): Promise<number> {
  const { count } = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('account_id', '=', accountId)
    .where(sql<boolean>`attributes ? ${name}`)
    .executeTakeFirstOrThrow()
  return count
}
