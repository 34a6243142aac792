import { randomUUID } from 'node:crypto'
import type { BootstrapCredential } from '../../config.ts'
import type { Db } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { systemActor } from '../../shared/principal.ts'
import { findCredentialByClientId } from '../credentials/credentials.repository.ts'
import { createCredential } from '../credentials/credentials.service.ts'
import { countAccounts, findAccount } from './accounts.repository.ts'
import { createAccount } from './accounts.service.ts'

/** Tolerates another instance creating the same row at the same moment. */
async function unlessCreatedMeanwhile(create: () => Promise<unknown>): Promise<void> {
  try {
    await create()
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
  }
}

/**
 * Creates the configured account (with its first Administrator) and credential when missing.
 * Idempotent: a restart, or several instances starting together, change nothing.
 */
export async function ensureBootstrapAccount(
  db: Db,
  bootstrap: BootstrapCredential
): Promise<{ createdAccount: boolean; createdCredential: boolean }> {
  const createdAccount = !(await findAccount(db, bootstrap.accountId))
  if (createdAccount) {
    await unlessCreatedMeanwhile(() =>
      createAccount(
        db,
        { id: bootstrap.accountId, name: 'Parley', admin: { email: bootstrap.adminEmail } },
        systemActor
      )
    )
  }
  const existing = await findCredentialByClientId(db, bootstrap.clientId)
  if (existing && existing.account_id !== bootstrap.accountId) {
    throw new Error(`PARLEY_BOOTSTRAP_CLIENT_ID already belongs to another account (${existing.account_id})`)
  }
  if (!existing) {
    await unlessCreatedMeanwhile(() =>
      createCredential(
        db,
        bootstrap.accountId,
        {
          name: 'bootstrap',
          clientId: bootstrap.clientId,
          clientSecret: bootstrap.clientSecret
        },
        systemActor
      )
    )
  }
  return { createdAccount, createdCredential: !existing }
}

/** On an empty database, a demo account so `npm start` is usable at once; answers its credential. */
export async function createDemoAccountIfEmpty(db: Db): Promise<BootstrapCredential | undefined> {
  if ((await countAccounts(db)) > 0) return undefined
  const demo = {
    accountId: 'demo',
    clientId: randomUUID(),
    clientSecret: randomUUID(),
    adminEmail: 'admin@parley.local'
  }
  await ensureBootstrapAccount(db, demo)
  return demo
}
