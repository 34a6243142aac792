import { sql } from 'kysely'
import type { DbOrTx, Tx } from '../../db/database.ts'

export interface NumberOwner {
  contactId: string
  mobile: string
  /** The record of this integration the number is synced with, if any. */
  linkedExternalId: string | null
}

/** Serialises syncs of one integration of one account, so two batches cannot link one number twice. */
export async function lockIntegration(tx: Tx, accountId: string, integration: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`contact-sync:${accountId}:${integration}`}))`.execute(tx)
}

export async function numberOwners(
  db: DbOrTx,
  accountId: string,
  integration: string,
  mobiles: readonly string[]
): Promise<NumberOwner[]> {
  return await db
    .selectFrom('contacts as c')
    .leftJoin('contact_integration_links as l', (join) =>
      join.onRef('l.contact_id', '=', 'c.id').on('l.integration', '=', integration)
    )
    .select(['c.id as contactId', 'c.mobile', 'l.external_id as linkedExternalId'])
    .where('c.account_id', '=', accountId)
    .where('c.mobile', 'in', mobiles)
    .execute()
}

/** Links records to contacts; a record already linked elsewhere (its phone changed) moves to its new number. */
export async function linkRecords(
  tx: Tx,
  accountId: string,
  integration: string,
  links: readonly { externalId: string; contactId: string }[]
): Promise<void> {
  if (links.length === 0) return
  await sql`
    INSERT INTO contact_integration_links (account_id, integration, external_id, contact_id)
    SELECT ${accountId}, ${integration}, external_id, contact_id
    FROM unnest(${links.map((link) => link.externalId)}::text[], ${links.map((link) => link.contactId)}::text[]) AS l(external_id, contact_id)
    ON CONFLICT (account_id, integration, external_id) DO UPDATE SET contact_id = excluded.contact_id, updated_at = now()
  `.execute(tx)
}
