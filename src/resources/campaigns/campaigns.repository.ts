import { sql, type Insertable, type Updateable } from 'kysely'
import { countRows, withTotalCount } from '../../db/count.ts'
import { nameContains } from '../../db/text-match.ts'
import type { DbOrTx, Tx } from '../../db/database.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { CampaignJobRow, CampaignRow, CampaignsTable } from './campaigns.table.ts'

export type CampaignValues = Omit<Insertable<CampaignsTable>, 'account_id'>
export type CampaignChanges = Omit<Updateable<CampaignsTable>, 'id' | 'account_id' | 'created_by' | 'created_at'>

export async function insertCampaign(db: DbOrTx, accountId: string, values: CampaignValues): Promise<CampaignRow> {
  return await db
    .insertInto('campaigns')
    .values({ ...values, account_id: accountId })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findCampaign(
  db: DbOrTx,
  accountId: string,
  campaignId: string
): Promise<CampaignRow | undefined> {
  return await db
    .selectFrom('campaigns')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', campaignId)
    .executeTakeFirst()
}

/** The campaign, locked until the transaction ends: one change or run at a time. */
export async function lockCampaign(tx: Tx, accountId: string, campaignId: string): Promise<CampaignRow | undefined> {
  return await tx
    .selectFrom('campaigns')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', campaignId)
    .forUpdate()
    .executeTakeFirst()
}

export async function listCampaigns(
  db: DbOrTx,
  accountId: string,
  filter: PageRequest & { name?: string }
): Promise<Page<CampaignRow>> {
  let matching = db.selectFrom('campaigns').where('account_id', '=', accountId)
  if (filter.name) matching = matching.where(nameContains(filter.name))
  const items = await matching
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  return await withTotalCount(filter, items, () => countRows(matching))
}

export async function updateCampaign(
  db: DbOrTx,
  accountId: string,
  campaignId: string,
  changes: CampaignChanges
): Promise<CampaignRow | undefined> {
  return await db
    .updateTable('campaigns')
    .set({ ...changes, updated_at: new Date() })
    .where('account_id', '=', accountId)
    .where('id', '=', campaignId)
    .returningAll()
    .executeTakeFirst()
}

export async function deleteCampaign(db: DbOrTx, accountId: string, campaignId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('campaigns')
    .where('account_id', '=', accountId)
    .where('id', '=', campaignId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** The send jobs' counts, with the failures and price of their messages so far. */
export async function campaignJobs(
  db: DbOrTx,
  accountId: string,
  jobIds: readonly string[]
): Promise<CampaignJobRow[]> {
  if (jobIds.length === 0) return []
  return await db
    .selectFrom('send_jobs as j')
    .where('j.account_id', '=', accountId)
    .where('j.id', 'in', jobIds)
    .select([
      'j.id',
      'j.created_at',
      'j.status',
      'j.requested',
      'j.invalid',
      sql<number>`(SELECT count(*)::int FROM messages m WHERE m.account_id = j.account_id AND m.job_id = j.id AND m.status IN ('failed', 'undelivered'))`.as(
        'failures'
      ),
      sql<number>`(SELECT coalesce(sum(m.price), 0)::float8 FROM messages m WHERE m.account_id = j.account_id AND m.job_id = j.id)`.as(
        'price'
      )
    ])
    .execute()
}

/**
 * Scheduled campaigns of every account whose next run is due: the scheduler's work list. Claiming
 * one (claimTick) is what decides which instance runs it.
 */
export async function dueCampaigns(db: DbOrTx, now: Date, limit: number): Promise<CampaignRow[]> {
  return await db
    .selectFrom('campaigns')
    .selectAll()
    .where('trigger_code', '=', 'S')
    .where('paused', '=', false)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(limit)
    .execute()
}

/**
 * Moves a due campaign's next run from `due` to `next` if no one else has: the one conditional
 * update that makes a tick run once, however many schedulers see it due at the same time.
 */
export async function claimTick(
  tx: Tx,
  accountId: string,
  campaignId: string,
  due: Date,
  next: Date | null
): Promise<CampaignRow | undefined> {
  return await tx
    .updateTable('campaigns')
    .set({ next_run_at: next })
    .where('account_id', '=', accountId)
    .where('id', '=', campaignId)
    .where('trigger_code', '=', 'S')
    .where('paused', '=', false)
    .where(sql<Date>`date_trunc('milliseconds', next_run_at)`, '=', due)
    .returningAll()
    .executeTakeFirst()
}
