import type { ErrorCode } from '../../errors/catalog.ts'
import { Refusal } from '../../errors/refusal.ts'
import { coerceAttributeValue } from '../../lib/attribute-values.ts'
import { unstorableCharacter } from '../../lib/unstorable.ts'
import { parseMobile, type UserDirectory } from './contact-values.ts'
import type { ContactInput } from './contacts.repository.ts'
import type { AttributeValues } from './contacts.table.ts'
import type { ColumnPlan } from './csv-columns.ts'

export interface RowError {
  row: number
  mobile?: { number: string; country?: string }
  error: { code: ErrorCode; description: string }
}

const EMAIL = /^[^@\s]+@[^@\s]+$/
// csv-parse decodes invalid UTF-8 to U+FFFD; a real U+FFFD in a contact field is vanishingly rare.
const REPLACEMENT_CHARACTER = '\uFFFD'

/** Turns one CSV record into a contact, or says why the row cannot be one. Cells are kept as text: `=cmd()` stays `=cmd()`. */
export function rowToContact(
  record: readonly string[],
  plan: ColumnPlan,
  users: UserDirectory
): ContactInput | Refusal {
  if (record.length !== plan.width) {
    return new Refusal('IMP-003', `Row has ${record.length} fields but the header has ${plan.width}`)
  }
  for (const field of record) {
    if (field.includes(REPLACEMENT_CHARACTER))
      return new Refusal('IMP-004', 'Row is not valid UTF-8; save the file as UTF-8')
    // PostgreSQL cannot store the byte: one such row is reported and the rest of the file imported.
    const unstorable = unstorableCharacter(field)
    if (unstorable) return new Refusal('IMP-011', `A field of the row ${unstorable}`)
  }
  const cell = (index: number | undefined) => (index === undefined ? undefined : record[index]!.trim() || undefined)
  const number = cell(plan.core.mobile)
  if (!number) return new Refusal('CONT-001', 'Mobile is empty')
  const mobile = parseMobile(number, cell(plan.core.country))
  if (mobile instanceof Refusal) return mobile

  const email = cell(plan.core.email)
  if (email !== undefined && !EMAIL.test(email)) return new Refusal('CONT-005', `Invalid email address ${email}`)

  let attributes: AttributeValues | undefined
  for (const { index, name, dataType } of plan.attributes) {
    const coerced = coerceAttributeValue(dataType, record[index]!.trim())
    if (coerced instanceof Refusal) return coerced.about(name)
    if (coerced.value !== null) (attributes ??= {})[name] = coerced.value
  }

  let assignedUserId: string | undefined
  const assignee = cell(plan.core.assignedUser)
  if (assignee !== undefined) {
    const resolved = users.resolve(assignee)
    if (resolved instanceof Refusal) return resolved
    assignedUserId = resolved
  }

  const tagCell = cell(plan.core.tags)
  return {
    ...mobile,
    firstName: cell(plan.core.firstName),
    lastName: cell(plan.core.lastName),
    email,
    tags: tagCell
      ? [
          ...new Set(
            tagCell
              .split('|')
              .map((tag) => tag.trim())
              .filter(Boolean)
          )
        ].map((tag) => ({ tag, visible: true }))
      : undefined,
    attributes,
    assignedUserId
  }
}

export function rowError(row: number, refusal: Refusal, record: readonly string[], plan: ColumnPlan): RowError {
  // The report is stored with a background import: a cell PostgreSQL cannot hold is left out of it.
  const storable = (index: number | undefined) => {
    const cell = index === undefined ? undefined : record[index]
    return cell === undefined || unstorableCharacter(cell) ? undefined : cell
  }
  const number = storable(plan.core.mobile)
  const country = storable(plan.core.country)
  return {
    row,
    ...(number ? { mobile: { number, ...(country ? { country } : {}) } } : {}),
    error: { code: refusal.code, description: refusal.message }
  }
}
