const DIGITS = /^\d+$/

/**
 * Orders integration record ids "numerically" (docs/api/integrations.md): all-digit ids by value (of any
 * length, so CRM ids beyond 2^53 still order right), anything else by plain string order.
 */
export function compareExternalIds(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b)) {
    const left = a.replace(/^0+(?=\d)/, '')
    const right = b.replace(/^0+(?=\d)/, '')
    if (left.length !== right.length) return left.length - right.length
    return left < right ? -1 : left > right ? 1 : 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}
