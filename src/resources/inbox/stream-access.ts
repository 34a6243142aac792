import type { DbOrTx } from '../../db/database.ts'
import type { Principal } from '../../shared/principal.ts'
import { credentialStates } from '../credentials/credentials.repository.ts'
import { usableGroupsOfUsers } from '../groups/groups.repository.ts'
import { liveUserRoles } from '../users/users.repository.ts'
import type { Role } from '../../shared/roles.ts'

/** What a stream's principal may see now: its role, and its groups (`'all'` for an account-wide credential). */
export interface Access {
  role: Role
  groups: 'all' | ReadonlySet<string>
}

/** Why a principal may see nothing any more; the error its next request would get. */
export type Gone = 'AUTH-001' | 'AUTH-002' | 'AUTH-003'

/**
 * Each principal's access read from the database, not from the authentication cache: a stream
 * outlives the request that authenticated it, so it asks again (docs/shared-inbox.md, "A stream follows its caller's access"). Three
 * queries for all the principals of an account, however many streams they hold.
 */
export async function currentAccess(
  db: DbOrTx,
  accountId: string,
  principals: readonly Principal[]
): Promise<Map<Principal, Access | Gone>> {
  const credentials = new Map(
    (await credentialStates(db, accountId, [...new Set(principals.map((principal) => principal.credentialId))])).map(
      (row) => [row.id, row]
    )
  )
  const userIds = [...new Set(principals.flatMap((principal) => (principal.user ? [principal.user.id] : [])))]
  const users = await liveUserRoles(db, accountId, userIds)
  const roles = new Map(users.map((user) => [user.id, user.role]))
  const groups = await usableGroupsOfUsers(db, accountId, users)

  const access = new Map<Principal, Access | Gone>()
  for (const principal of principals) {
    const credential = credentials.get(principal.credentialId)
    const role = principal.user && roles.get(principal.user.id)
    if (!credential || credential.revoked_at !== null) access.set(principal, 'AUTH-002')
    else if (credential.user_id !== null && credential.uid === null) access.set(principal, 'AUTH-001')
    else if (!principal.user) access.set(principal, { role: 'Administrator', groups: 'all' })
    else if (!role) access.set(principal, credential.user_id === null ? 'AUTH-003' : 'AUTH-001')
    else access.set(principal, { role, groups: groups.get(principal.user.id) ?? new Set() })
  }
  return access
}
