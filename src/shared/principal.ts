import type { Role } from './roles.ts'
import type { ActorShape } from './schemas.ts'

export interface ActingUser {
  id: string
  email: string
  firstName: string
  lastName: string
  role: Role
}

/**
 * Who is calling. An account-wide credential acts as an Administrator with no user; a user-bound
 * credential, or an account-wide one naming a user in X-Parley-User-Email, acts as that user.
 */
export interface Principal {
  accountId: string
  credentialId: string
  clientId: string
  role: Role
  user?: ActingUser
}

export const systemActor: ActorShape = { id: 'system', name: 'Parley', source: 'system' }

export function actorOf(principal: Principal): ActorShape {
  if (principal.user) {
    const { id, email, firstName, lastName } = principal.user
    return { id, email, firstName, lastName, name: `${firstName} ${lastName}`.trim() || email, source: 'api' }
  }
  return { id: principal.clientId, name: 'API client', source: 'api' }
}
