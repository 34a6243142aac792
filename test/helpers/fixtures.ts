import type { FastifyInstance } from 'fastify'
import { createAccount } from '../../src/resources/accounts/accounts.service.ts'
import { createCredential } from '../../src/resources/credentials/credentials.service.ts'
import { createUser } from '../../src/resources/users/users.service.ts'
import type { Role } from '../../src/shared/roles.ts'
import { systemActor } from '../../src/shared/principal.ts'

export interface TestAccount {
  accountId: string
  adminUserId: string
  clientId: string
  clientSecret: string
  token: string
  /** Headers for an authenticated JSON call with the account-wide credential. */
  headers: Record<string, string>
}

let counter = 0

export async function requestToken(app: FastifyInstance, clientId: string, clientSecret: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
  })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json().access_token
}

/**
 * A new account with its first Administrator and an account-wide credential, plus a token for it.
 * `id` chooses the account's id, for configuration that names it (a carrier's `accounts`).
 */
export async function createTestAccount(
  app: FastifyInstance,
  name = `Account ${++counter}`,
  id?: string
): Promise<TestAccount> {
  const { account, admin } = await createAccount(
    app.db,
    {
      ...(id ? { id } : {}),
      name,
      admin: { email: `admin${counter}@example.com`, firstName: 'Ada', lastName: 'Admin' }
    },
    systemActor
  )
  const { credential, clientSecret } = await createCredential(app.db, account.id, { name: 'test' }, systemActor)
  const token = await requestToken(app, credential.client_id, clientSecret)
  return {
    accountId: account.id,
    adminUserId: admin.id,
    clientId: credential.client_id,
    clientSecret,
    token,
    headers: { authorization: `Bearer ${token}` }
  }
}

/** A user of the account with a credential bound to them; answers the user id and auth headers. */
export async function createTestUser(
  app: FastifyInstance,
  accountId: string,
  role: Role,
  email = `user${++counter}@example.com`
): Promise<{ userId: string; email: string; headers: Record<string, string> }> {
  const user = await createUser(app.db, accountId, { email, firstName: 'Test', lastName: role, role }, systemActor)
  const { credential, clientSecret } = await createCredential(app.db, accountId, { userId: user.id }, systemActor)
  const token = await requestToken(app, credential.client_id, clientSecret)
  return { userId: user.id, email, headers: { authorization: `Bearer ${token}` } }
}
