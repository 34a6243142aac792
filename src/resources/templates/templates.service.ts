import type { DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { orThrow } from '../../errors/refusal.ts'
import { templateRefusal } from '../../lib/render-template.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { deleteTemplate, findTemplate, insertTemplate, updateTemplate } from './templates.repository.ts'
import type { TemplateRequestShape, TemplateUpdateShape } from './templates.schemas.ts'
import type { TemplateRow } from './templates.table.ts'

// A template that cannot render would fail every send that uses it, so it is refused when saved.
function assertRenderable(template: string | undefined): void {
  if (template !== undefined) orThrow(templateRefusal(template)?.about('body.template has a syntax error:'))
}

function notFound(templateId: string): ApiError {
  return new ApiError('TMPL-001', `Template ${templateId} not found`)
}

export async function createTemplate(
  db: DbOrTx,
  accountId: string,
  template: TemplateRequestShape,
  actor: ActorShape
): Promise<TemplateRow> {
  assertRenderable(template.template)
  return await insertTemplate(db, accountId, newId(), template, actor)
}

export async function getTemplate(db: DbOrTx, accountId: string, templateId: string): Promise<TemplateRow> {
  const template = await findTemplate(db, accountId, templateId)
  if (!template) throw notFound(templateId)
  return template
}

export async function changeTemplate(
  db: DbOrTx,
  accountId: string,
  templateId: string,
  changes: TemplateUpdateShape,
  actor: ActorShape
): Promise<TemplateRow> {
  assertRenderable(changes.template)
  const template = await updateTemplate(db, accountId, templateId, changes, actor)
  if (!template) throw notFound(templateId)
  return template
}

export async function removeTemplate(db: DbOrTx, accountId: string, templateId: string): Promise<void> {
  if (!(await deleteTemplate(db, accountId, templateId))) throw notFound(templateId)
}
