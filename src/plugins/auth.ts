import fastifyJwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../db/database.ts'
import { ApiError } from '../errors/api-error.ts'
import { findCredentialWithUser } from '../resources/credentials/credentials.repository.ts'
import { findUserByEmail } from '../resources/users/users.repository.ts'
import type { Role } from '../shared/roles.ts'
import { TtlCache } from '../lib/ttl-cache.ts'
import type { VerifiedSecrets } from '../lib/verified-secrets.ts'
import type { ActingUser, Principal } from '../shared/principal.ts'

/** What a Parley access token carries besides `sub` (the client id) and `exp`. */
export interface TokenClaims {
  acct: string
  cred: string
  usr?: string
  scope: string
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    forgetCredential: (credentialId: string) => void
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent means every role. */
    roles?: readonly Role[]
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims & { sub: string }
  }
}

const USER_EMAIL_HEADER = 'x-parley-user-email'

interface CredentialState {
  accountId: string
  clientId: string
  revoked: boolean
  user?: ActingUser | null
}

const challenge = 'Bearer realm="parley"'

function unauthorized(detail?: string, code: 'AUTH-001' | 'AUTH-002' = 'AUTH-001'): ApiError {
  const header = detail ? `${challenge}, error="invalid_token", error_description="${detail}"` : challenge
  return new ApiError(code, detail, { 'www-authenticate': header })
}

function toActingUser(row: {
  id: string
  email: string
  first_name: string
  last_name: string
  role: Role
}): ActingUser {
  return { id: row.id, email: row.email, firstName: row.first_name, lastName: row.last_name, role: row.role }
}

async function loadCredential(db: Db, credentialId: string): Promise<CredentialState | undefined> {
  const row = await findCredentialWithUser(db, credentialId)
  if (!row) return undefined
  let user: ActingUser | null | undefined
  if (row.user_id !== null) {
    user =
      row.uid === null
        ? null
        : toActingUser({
            id: row.uid,
            email: row.email!,
            first_name: row.first_name!,
            last_name: row.last_name!,
            role: row.role!
          })
  }
  return { accountId: row.account_id, clientId: row.client_id, revoked: row.revoked_at !== null, user }
}

async function loadUserByEmail(db: Db, accountId: string, email: string): Promise<ActingUser | null> {
  const row = await findUserByEmail(db, accountId, email)
  return row ? toActingUser(row) : null
}

export interface AuthOptions {
  secret: string
  tokenTtlSeconds: number
  /** How long a credential's revocation or a user's role change may go unnoticed. */
  cacheMs: number
  /** The token endpoint's memory of secrets that verified, forgotten with the credential. */
  verifiedSecrets: VerifiedSecrets
}

/**
 * Bearer-token authentication for /v1 routes. Tokens are JWTs, but each request still checks the
 * credential (through a cache of a few seconds), so revoking it takes effect within that time.
 */
export const authPlugin = fp<AuthOptions>(
  async (app, options) => {
    // Parley signs with HS256 and always sets `exp`: a token with another algorithm or without an
    // expiry was not made by Parley (test/app/auth.test.ts).
    await app.register(fastifyJwt, {
      secret: options.secret,
      sign: { algorithm: 'HS256', expiresIn: options.tokenTtlSeconds },
      verify: { algorithms: ['HS256'], requiredClaims: ['exp'] }
    })

    const credentials = new TtlCache<string, CredentialState | undefined>(options.cacheMs)
    const usersByEmail = new TtlCache<string, ActingUser | null>(options.cacheMs)

    app.decorateRequest('principal', undefined as unknown as Principal)
    app.decorate('forgetCredential', (credentialId: string) => {
      credentials.delete(credentialId)
      options.verifiedSecrets.forget(credentialId)
    })

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const match = /^bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
      if (!match) throw unauthorized()
      let claims: TokenClaims & { sub: string }
      try {
        claims = app.jwt.verify(match[1]!)
      } catch {
        throw unauthorized('The access token is invalid or expired')
      }

      const credential = await credentials.getOrLoad(claims.cred, () => loadCredential(app.db, claims.cred))
      if (!credential || credential.accountId !== claims.acct)
        throw unauthorized('The access token is invalid or expired')
      if (credential.revoked) throw unauthorized(undefined, 'AUTH-002')

      const pathAccount = (request.params as { accountId?: string }).accountId
      if (pathAccount !== undefined && pathAccount !== credential.accountId) throw new ApiError('ACCT-008')

      const principal: Principal = {
        accountId: credential.accountId,
        credentialId: claims.cred,
        clientId: credential.clientId,
        role: 'Administrator'
      }
      const email = request.headers[USER_EMAIL_HEADER]
      if (credential.user === null) throw unauthorized('The user of this credential has been removed')
      if (credential.user) {
        if (typeof email === 'string' && email.toLowerCase() !== credential.user.email.toLowerCase()) {
          throw new ApiError('ACCT-016', `Only account-wide credentials may use ${USER_EMAIL_HEADER}`)
        }
        principal.user = credential.user
      } else if (typeof email === 'string' && email !== '') {
        const user = await usersByEmail.getOrLoad(`${credential.accountId}\n${email.toLowerCase()}`, () =>
          loadUserByEmail(app.db, credential.accountId, email)
        )
        if (!user) throw new ApiError('AUTH-003', `No user with email ${email} in this account`)
        principal.user = user
      }
      if (principal.user) principal.role = principal.user.role
      request.principal = principal
    })

    // Route-level role policy: `config: { roles: ['Administrator'] }` next to the route.
    app.addHook('preHandler', async (request) => {
      const roles = request.routeOptions.config.roles
      if (roles && request.principal && !roles.includes(request.principal.role)) {
        throw new ApiError('ACCT-016', `This operation needs one of the roles: ${roles.join(', ')}`)
      }
    })
  },
  { name: 'auth', dependencies: ['deps'] }
)
