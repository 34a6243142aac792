import type { Db } from '../../db/database.ts'
import { hashSecret, verifySecret } from '../../lib/secret-hash.ts'
import { findCredentialByClientId } from '../credentials/credentials.repository.ts'
import type { ApiCredentialRow } from '../credentials/credentials.table.ts'

// Compared against when the client id is unknown, so a miss costs as much time as a wrong secret.
const decoyHash = hashSecret('decoy secret for unknown client ids')

/** The live credential for this client id and secret, or undefined. */
export async function authenticateClient(
  db: Db,
  clientId: string,
  clientSecret: string
): Promise<ApiCredentialRow | undefined> {
  const credential = await findCredentialByClientId(db, clientId)
  const matches = await verifySecret(clientSecret, credential?.secret_hash ?? (await decoyHash))
  return matches && credential && credential.revoked_at === null ? credential : undefined
}
