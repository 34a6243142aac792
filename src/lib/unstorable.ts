// PostgreSQL refuses a NUL byte in text and a lone UTF-16 surrogate in jsonb (neither is valid
// UTF-8), and the refusal would surface as a 500 halfway through a request. These helpers find them
// first, so the request is answered with a 400 that names the field before anything is stored.

/** Why the string cannot be stored, or undefined when it can. */
export function unstorableCharacter(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL byte'
  if (!value.isWellFormed()) return 'contains an unpaired UTF-16 surrogate'
  return undefined
}

/**
 * The first string (value or property name) in `value` that cannot be stored, or number that is not
 * finite, as "path problem", e.g. "body.attributes.plan contains a NUL byte". Iterative, so even a
 * very deep value cannot overflow the stack.
 */
export function findUnstorable(value: unknown, root: string): string | undefined {
  const pending: Array<[unknown, string]> = [[value, root]]
  while (pending.length > 0) {
    const [current, path] = pending.pop()!
    if (typeof current === 'string') {
      const problem = unstorableCharacter(current)
      if (problem) return `${path} ${problem}`
    } else if (typeof current === 'number' && !Number.isFinite(current)) {
      return `${path} must be a finite number`
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push([item, `${path}[${index}]`]))
    } else if (isPlainObject(current)) {
      for (const [key, item] of Object.entries(current)) {
        const problem = unstorableCharacter(key)
        if (problem) return `a property name in ${path} ${problem}`
        pending.push([item, `${path}.${key}`])
      }
    }
  }
  return undefined
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * How deeply arrays and objects nest in a JSON text, counted without parsing it: brackets inside
 * strings do not count. Stops counting once past `limit`.
 */
export function jsonNestingExceeds(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index)
    if (inString) {
      if (char === 0x5c) index++
      else if (char === 0x22) inString = false
    } else if (char === 0x22) inString = true
    else if (char === 0x7b || char === 0x5b) {
      if (++depth > limit) return true
    } else if (char === 0x7d || char === 0x5d) depth--
  }
  return false
}
