import { Type, type Static } from 'typebox'

// Which account may use which numbers of a configured carrier: the installation decides, in the
// carrier's `accounts` setting (docs/carriers/overview.md, "Numbers per account"). A carrier's numbers all
// reach one connection or one provider account, so without this any Administrator could add a
// sender for a number another account uses there, then read its inbound messages and send as it.

const NumberPattern = Type.String({
  pattern: '^(\\*|[A-Za-z0-9+][A-Za-z0-9 ]*\\*?)$',
  description:
    'A sender number as Parley stores it (E.164, short code or alphanumeric id), or a prefix of one ending in *, or * for any'
})

/** Account id (or `*` for every account) → the numbers it may use on the carrier. */
export const CarrierAccounts = Type.Record(Type.String({ minLength: 1 }), Type.Array(NumberPattern, { minItems: 1 }))

export type CarrierAccounts = Static<typeof CarrierAccounts>

/**
 * The number patterns this account may use on a carrier. A carrier without `accounts` serves the
 * installation's first account only (`firstAccountId`, the oldest), so a single-account
 * installation needs no setting and an account created later never uses it unless listed.
 */
export function grantedPatterns(
  accounts: CarrierAccounts | undefined,
  accountId: string,
  firstAccountId: string | undefined
): readonly string[] {
  if (accounts === undefined) return accountId === firstAccountId ? ['*'] : []
  return [...(accounts[accountId] ?? []), ...(accounts['*'] ?? [])]
}

export function numberGranted(patterns: readonly string[], number: string): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? number.startsWith(pattern.slice(0, -1)) : pattern === number
  )
}
