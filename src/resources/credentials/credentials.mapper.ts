import { audit } from '../../shared/audit.ts'
import type { ApiCredentialRow } from './credentials.table.ts'
import type { ApiCredentialShape } from './credentials.schemas.ts'

export function toApiCredential(row: ApiCredentialRow): ApiCredentialShape {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    userId: row.user_id,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    created: audit(row.created_at, row.created_by)
  }
}
