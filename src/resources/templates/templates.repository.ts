import type { DbOrTx } from '../../db/database.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { TemplateRequestShape, TemplateUpdateShape } from './templates.schemas.ts'
import type { TemplateRow } from './templates.table.ts'
import { countRows, withTotalCount } from '../../db/count.ts'
import { nameContains } from '../../db/text-match.ts'

export interface TemplateFilter extends PageRequest {
  name?: string
}

export async function insertTemplate(
  db: DbOrTx,
  accountId: string,
  id: string,
  template: TemplateRequestShape,
  actor: ActorShape
): Promise<TemplateRow> {
  return await db
    .insertInto('templates')
    .values({
      id,
      account_id: accountId,
      name: template.name,
      type: template.type,
      template: template.template,
      media: JSON.stringify(template.media),
      created_by: actorJson(actor),
      updated_by: actorJson(actor)
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findTemplate(
  db: DbOrTx,
  accountId: string,
  templateId: string
): Promise<TemplateRow | undefined> {
  return await db
    .selectFrom('templates')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', templateId)
    .executeTakeFirst()
}

export async function listTemplates(db: DbOrTx, accountId: string, filter: TemplateFilter): Promise<Page<TemplateRow>> {
  let matching = db.selectFrom('templates').where('account_id', '=', accountId)
  if (filter.name) matching = matching.where(nameContains(filter.name))
  const items = await matching
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  return await withTotalCount(filter, items, () => countRows(matching))
}

/** Changes the given fields; answers undefined when the account has no such template. */
export async function updateTemplate(
  db: DbOrTx,
  accountId: string,
  templateId: string,
  changes: TemplateUpdateShape,
  actor: ActorShape
): Promise<TemplateRow | undefined> {
  return await db
    .updateTable('templates')
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.type === undefined ? {} : { type: changes.type }),
      ...(changes.template === undefined ? {} : { template: changes.template }),
      ...(changes.media === undefined ? {} : { media: JSON.stringify(changes.media) }),
      updated_at: new Date(),
      updated_by: actorJson(actor)
    })
    .where('account_id', '=', accountId)
    .where('id', '=', templateId)
    .returningAll()
    .executeTakeFirst()
}

export async function deleteTemplate(db: DbOrTx, accountId: string, templateId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('templates')
    .where('account_id', '=', accountId)
    .where('id', '=', templateId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}
