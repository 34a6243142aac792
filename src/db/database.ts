import type { Kysely, Transaction } from 'kysely'
import type { AccountsTable, InstanceSettingsTable } from '../resources/accounts/accounts.table.ts'
import type { ApiCredentialsTable } from '../resources/credentials/credentials.table.ts'
import type { UsersTable } from '../resources/users/users.table.ts'

export interface Database {
  instance_settings: InstanceSettingsTable
  accounts: AccountsTable
  users: UsersTable
  api_credentials: ApiCredentialsTable
}

export type Db = Kysely<Database>
export type Tx = Transaction<Database>
/** Functions that only read or write one statement take either handle. */
export type DbOrTx = Db | Tx
