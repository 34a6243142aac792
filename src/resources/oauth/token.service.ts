import type { Db } from '../../db/database.ts'
import { hashSecret, verifySecret } from '../../lib/secret-hash.ts'
import type { VerifiedSecrets } from '../../lib/verified-secrets.ts'
import { findCredentialByClientId } from '../credentials/credentials.repository.ts'
import type { ApiCredentialRow } from '../credentials/credentials.table.ts'
import type { FailedAttempts } from './failed-attempts.ts'

// Compared against when the client id is unknown, so a miss costs as much time as a wrong secret.
const decoyHash = hashSecret('decoy secret for unknown client ids')

export interface ClientCheck {
  clientId: string
  clientSecret: string
  address: string
}

export type ClientAuthentication =
  | { outcome: 'authenticated'; credential: ApiCredentialRow }
  | { outcome: 'refused' }
  | { outcome: 'throttled'; retryAfterMs: number }

/**
 * Checks a client id and secret (docs/authentication.md). The credential row is read on every
 * call, so a revocation refuses the next token request on every instance. A secret that already
 * verified skips scrypt (src/lib/verified-secrets.ts) and spends no budget; any other try spends one
 * of the budgets of wrong secrets, given back when it turns out right. A client id or address whose
 * budget is spent is refused before any check, even with the right secret, so a spent budget tells
 * a guesser nothing.
 */
export async function authenticateClient(
  db: Db,
  secrets: VerifiedSecrets,
  attempts: FailedAttempts,
  { clientId, clientSecret, address }: ClientCheck
): Promise<ClientAuthentication> {
  const credential = await findCredentialByClientId(db, clientId)
  const live = (passed: boolean): ClientAuthentication =>
    passed && credential && credential.revoked_at === null
      ? { outcome: 'authenticated', credential }
      : { outcome: 'refused' }

  const known = credential && secrets.matches(credential.id, credential.secret_hash, clientSecret)
  const running = credential && secrets.running(credential.id, credential.secret_hash, clientSecret)
  if (known || running) {
    const retryAfterMs = await attempts.retryAfterMs(clientId, address)
    if (retryAfterMs > 0) return { outcome: 'throttled', retryAfterMs }
    return live(known || (await running!))
  }

  const retryAfterMs = await attempts.begin(clientId, address)
  if (retryAfterMs > 0) return { outcome: 'throttled', retryAfterMs }
  const passed = credential
    ? await secrets.check(credential.id, credential.secret_hash, clientSecret, () =>
        verifySecret(clientSecret, credential.secret_hash)
      )
    : await verifySecret(clientSecret, await decoyHash)
  if (passed) await attempts.succeeded(clientId, address)
  return live(passed)
}
