// Custom attribute values as contacts carry them, checked against the definition's data type.
// JSON callers may send typed values; CSV cells are always text, so both forms are accepted.

import { Refusal } from '../errors/refusal.ts'

export type AttributeDataType = 'text' | 'number' | 'date' | 'boolean'
export type AttributeValue = string | number | boolean

export type Coerced = { value: AttributeValue | null } | Refusal

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const TRUE = new Set(['true', 'yes', '1'])
const FALSE = new Set(['false', 'no', '0'])

function coerceDate(text: string): Coerced {
  const date = ISO_DATE.exec(text)
  if (date) {
    const [, year, month, day] = date.map(Number) as [number, number, number, number]
    const parsed = new Date(Date.UTC(year, month - 1, day))
    // Date.UTC rolls 2024-02-31 over to March; a real date survives the round trip.
    if (parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day) return { value: text }
  } else if (ISO_DATE_TIME.test(text) && !Number.isNaN(Date.parse(text))) {
    return { value: new Date(text).toISOString() }
  }
  return new Refusal('ATTR-002', 'must be an ISO-8601 date (YYYY-MM-DD) or date-time')
}

/** A null value (or an empty CSV cell) means "no value": the caller decides whether that clears it. */
export function coerceAttributeValue(dataType: AttributeDataType, raw: unknown): Coerced {
  if (raw === null || raw === undefined || raw === '') return { value: null }
  switch (dataType) {
    case 'text':
      if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) }
      return new Refusal('ATTR-002', 'must be text')
    case 'number':
      if (typeof raw === 'number' && Number.isFinite(raw)) return { value: raw }
      if (typeof raw === 'string' && NUMBER.test(raw.trim())) return { value: Number(raw.trim()) }
      return new Refusal('ATTR-002', 'must be a number')
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw }
      if (typeof raw === 'string' && TRUE.has(raw.trim().toLowerCase())) return { value: true }
      if (typeof raw === 'string' && FALSE.has(raw.trim().toLowerCase())) return { value: false }
      return new Refusal('ATTR-002', 'must be true or false')
    case 'date':
      return typeof raw === 'string'
        ? coerceDate(raw.trim())
        : new Refusal('ATTR-002', 'must be an ISO-8601 date string')
  }
}
