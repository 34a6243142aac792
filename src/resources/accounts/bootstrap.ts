import { randomUUID } from 'node:crypto'
import type { BootstrapCredential } from '../../config.ts'
import type { Db } from '../../db/database.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { systemActor } from '../../shared/principal.ts'
import { findCredentialByClientId } from '../credentials/credentials.repository.ts'
import { createCredential } from '../credentials/credentials.service.ts'
import { countAccounts, findAccount } from './accounts.repository.ts'
import { createAccount } from './accounts.service.ts'

/** Tolerates another instance creating the same row (named by its unique constraint) at the same moment. */
async function unlessCreatedMeanwhile(constraint: string, create: () => Promise<unknown>): Promise<void> {
  try {
    await create()
  } catch (error) {
    if (!isUniqueViolation(error, constraint)) throw error
  }
}

/**
 * Creates the configured account (with its first Administrator and, when `demoSender`, an active
 * sandbox sender) and credential when missing. Idempotent: a restart, or several instances starting
 * together, change nothing.
 */
export async function ensureBootstrapAccount(
  db: Db,
  bootstrap: BootstrapCredential,
  demoSender: boolean
): Promise<{ createdAccount: boolean; createdCredential: boolean }> {
  const createdAccount = !(await findAccount(db, bootstrap.accountId))
  if (createdAccount) {
    await unlessCreatedMeanwhile('accounts_pkey', async () => {
      try {
        await createAccount(
          db,
          {
            id: bootstrap.accountId,
            name: 'Parley',
            admin: { email: bootstrap.adminEmail },
            ...(demoSender ? { demoSender: { number: bootstrap.senderNumber } } : {})
          },
          systemActor
        )
      } catch (error) {
        if (!isUniqueViolation(error, 'senders_number_key')) throw error
        throw new Error(
          `PARLEY_BOOTSTRAP_SENDER_NUMBER ${bootstrap.senderNumber} is already a sender of another account`
        )
      }
    })
  }
  const existing = await findCredentialByClientId(db, bootstrap.clientId)
  if (existing && existing.account_id !== bootstrap.accountId) {
    throw new Error(`PARLEY_BOOTSTRAP_CLIENT_ID already belongs to another account (${existing.account_id})`)
  }
  if (!existing) {
    await unlessCreatedMeanwhile('api_credentials_client_id_key', () =>
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
export async function createDemoAccountIfEmpty(db: Db, demoSender: boolean): Promise<BootstrapCredential | undefined> {
  if ((await countAccounts(db)) > 0) return undefined
  const demo = {
    accountId: 'demo',
    clientId: randomUUID(),
    clientSecret: randomUUID(),
    adminEmail: 'admin@parley.local'
  }
  await ensureBootstrapAccount(db, demo, demoSender)
  return demo
}
