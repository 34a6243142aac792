import type { Generated } from 'kysely'

export interface ContactIntegrationLinksTable {
  account_id: string
  integration: string
  external_id: string
  contact_id: string
  created_at: Generated<Date>
  updated_at: Generated<Date>
}
