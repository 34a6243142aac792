import { SANDBOX } from '../../carriers/sandbox/sandbox-carrier.ts'
import { grantedPatterns, numberGranted } from '../../carriers/carrier-numbers.ts'
import type { Db } from '../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors/api-error.ts'
import { findFirstAccountId } from '../accounts/accounts.repository.ts'

// Accounts are never deleted, so the first one stays first once there is one: read it once per pool.
const firstAccounts = new WeakMap<Db, string>()

async function firstAccountId(db: Db): Promise<string | undefined> {
  const known = firstAccounts.get(db)
  if (known !== undefined) return known
  const found = await findFirstAccountId(db)
  if (found !== undefined) firstAccounts.set(db, found)
  return found
}

/**
 * Whether the installation lets this account use this number on this carrier (its `accounts`
 * setting, src/carriers/carrier-numbers.ts). The sandbox sends and receives nothing outside Parley,
 * so every account may use any number on it; a carrier the installation does not have, none.
 */
export async function numberAllowed(
  { db, config }: Pick<Deps, 'db' | 'config'>,
  carrier: string,
  accountId: string,
  number: string
): Promise<boolean> {
  if (carrier === SANDBOX) return true
  const settings = Object.hasOwn(config.carriers, carrier) ? config.carriers[carrier] : undefined
  if (!settings) return false
  const first = settings.accounts === undefined ? await firstAccountId(db) : undefined
  return numberGranted(grantedPatterns(settings.accounts, accountId, first), number)
}

/** SNDR-006 unless the account may use the number on the carrier: the same answer whoever uses it. */
export async function requireNumberAllowed(
  deps: Pick<Deps, 'db' | 'config'>,
  carrier: string,
  accountId: string,
  number: string
): Promise<void> {
  if (!(await numberAllowed(deps, carrier, accountId, number)))
    throw new ApiError(
      'SNDR-006',
      `The carrier ${carrier} does not serve ${number} for this account: the installation's operator assigns its numbers to accounts (the carrier's "accounts" setting in PARLEY_CARRIERS)`
    )
}
