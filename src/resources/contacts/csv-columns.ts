import { ApiError } from '../../errors/api-error.ts'
import type { AttributeDataType } from '../../lib/attribute-values.ts'
import type { AttributeCatalog } from './contact-values.ts'

const CORE_TARGETS = ['firstName', 'lastName', 'email', 'mobile', 'country', 'tags', 'assignedUser'] as const
export type CoreTarget = (typeof CORE_TARGETS)[number]

/** Where each used column of a file goes; columns not listed are excluded. */
export interface ColumnPlan {
  width: number
  core: Partial<Record<CoreTarget, number>>
  attributes: { index: number; name: string; dataType: AttributeDataType }[]
}

export interface ColumnOptions {
  /** Header → target: a core field name or `attributes.<name>`. */
  mapping: Record<string, string>
  exclude: string[]
}

const squash = (text: string) => text.toLowerCase().replace(/[\s_-]/g, '')

// Headers recognised without a mapping: core field names in any case and spacing, plus the names
// Sakari's and common CRM exports use for the same fields.
const coreAliases = new Map<string, CoreTarget>([
  ...CORE_TARGETS.map((target) => [squash(target), target] as const),
  ['phone', 'mobile'],
  ['phonenumber', 'mobile'],
  ['mobilenumber', 'mobile'],
  ['userid', 'assignedUser'],
  ['assignee', 'assignedUser']
])

function lookup(mapping: Record<string, string>, header: string): string | undefined {
  if (header in mapping) return mapping[header]
  const wanted = header.trim().toLowerCase()
  return Object.entries(mapping).find(([key]) => key.trim().toLowerCase() === wanted)?.[1]
}

/**
 * Decides every column before any row is read, so a file with an unknown column or one mapped to an
 * undefined attribute is refused before anything is written.
 */
export function planColumns(header: readonly string[], options: ColumnOptions, catalog: AttributeCatalog): ColumnPlan {
  const excluded = new Set(options.exclude.map((name) => name.trim().toLowerCase()))
  const plan: ColumnPlan = { width: header.length, core: {}, attributes: [] }
  const taken = new Map<string, string>()
  header.forEach((rawHeader, index) => {
    const name = rawHeader.trim()
    if (excluded.has(name.toLowerCase())) return
    const target = lookup(options.mapping, name)?.trim() ?? coreAliases.get(squash(name)) ?? catalog.find(name)?.name
    if (target === undefined) {
      throw new ApiError(
        'IMP-002',
        `Column "${name}" matches no core field or defined attribute; map it (mapping) or exclude it (exclude)`
      )
    }
    const attributeName = /^attributes\.(.+)$/.exec(target)?.[1]
    const key = attributeName ? `attributes.${attributeName.toLowerCase()}` : target
    if (taken.has(key)) throw new ApiError('IMP-002', `Columns "${taken.get(key)}" and "${name}" both map to ${target}`)
    taken.set(key, name)
    if (attributeName !== undefined || !(CORE_TARGETS as readonly string[]).includes(target)) {
      const definition = catalog.find(attributeName ?? target)
      if (!definition)
        throw new ApiError('IMP-002', `Column "${name}" maps to ${target}, which is not a defined contact attribute`)
      plan.attributes.push({ index, name: definition.name, dataType: definition.data_type })
    } else {
      plan.core[target as CoreTarget] = index
    }
  })
  const missing = (['mobile', 'country'] as const).filter((target) => plan.core[target] === undefined)
  if (missing.length > 0)
    throw new ApiError(
      'IMP-001',
      `The file needs the mandatory columns Mobile and Country; missing: ${missing.join(', ')}`
    )
  return plan
}
