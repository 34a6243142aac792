import type { Kysely, Transaction } from 'kysely'
import type { AccountsTable, InstanceSettingsTable } from '../resources/accounts/accounts.table.ts'
import type { ApiCredentialsTable } from '../resources/credentials/credentials.table.ts'
import type { UsersTable } from '../resources/users/users.table.ts'
import type { AttributeDefinitionsTable } from '../resources/attributes/attributes.table.ts'
import type {
  ContactImportChunksTable,
  ContactImportsTable,
  ContactsTable
} from '../resources/contacts/contacts.table.ts'
import type { EventsTable } from '../resources/events/events.table.ts'
import type { ContactIntegrationLinksTable } from '../resources/integrations/integrations.table.ts'
import type { GroupsTable, GroupUsersTable } from '../resources/groups/groups.table.ts'
import type { SendersTable } from '../resources/senders/senders.table.ts'
import type { CampaignsTable } from '../resources/campaigns/campaigns.table.ts'
import type { SharedFilesTable } from '../resources/files/files.table.ts'
import type { ListMembersTable, ListsTable } from '../resources/lists/lists.table.ts'
import type { TemplatesTable } from '../resources/templates/templates.table.ts'
import type { SandboxMessagesTable } from '../carriers/sandbox/sandbox.table.ts'
import type {
  AwayRepliesTable,
  ConversationReadsTable,
  ConversationsTable
} from '../resources/conversations/conversations.table.ts'
import type {
  IdempotencyKeysTable,
  MessagesTable,
  SenderThrottlesTable,
  SendJobsTable
} from '../resources/messages/messages.table.ts'
import type { OutgoingMailTable } from '../resources/mail/mail.table.ts'
import type { WebhookDeliveriesTable, WebhookSubscriptionsTable } from '../resources/webhooks/webhooks.table.ts'

export interface Database {
  instance_settings: InstanceSettingsTable
  accounts: AccountsTable
  users: UsersTable
  api_credentials: ApiCredentialsTable
  attribute_definitions: AttributeDefinitionsTable
  contacts: ContactsTable
  contact_integration_links: ContactIntegrationLinksTable
  contact_imports: ContactImportsTable
  contact_import_chunks: ContactImportChunksTable
  events: EventsTable
  groups: GroupsTable
  group_users: GroupUsersTable
  senders: SendersTable
  templates: TemplatesTable
  lists: ListsTable
  list_members: ListMembersTable
  campaigns: CampaignsTable
  shared_files: SharedFilesTable
  sandbox_messages: SandboxMessagesTable
  conversations: ConversationsTable
  conversation_reads: ConversationReadsTable
  away_replies: AwayRepliesTable
  messages: MessagesTable
  send_jobs: SendJobsTable
  idempotency_keys: IdempotencyKeysTable
  sender_throttles: SenderThrottlesTable
  webhook_subscriptions: WebhookSubscriptionsTable
  webhook_deliveries: WebhookDeliveriesTable
  outgoing_mail: OutgoingMailTable
}

export type Db = Kysely<Database>
export type Tx = Transaction<Database>
/** Functions that only read or write one statement take either handle. */
export type DbOrTx = Db | Tx
