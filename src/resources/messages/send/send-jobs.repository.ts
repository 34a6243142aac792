import type { DbOrTx, Tx } from '../../../db/database.ts'
import type { ActorShape } from '../../../shared/schemas.ts'
import type { GroupScope } from '../messages.repository.ts'
import type { SendJobRow, SendJobStatus } from '../messages.table.ts'

export async function insertSendJob(
  tx: Tx,
  accountId: string,
  job: { id: string; groupId: string | null; request: unknown; actor: ActorShape }
): Promise<void> {
  await tx
    .insertInto('send_jobs')
    .values({
      id: job.id,
      account_id: accountId,
      group_id: job.groupId,
      status: 'expanding',
      request: JSON.stringify(job.request),
      created_by: JSON.stringify(job.actor)
    })
    .execute()
}

export async function setSendJobCounts(
  tx: Tx,
  accountId: string,
  jobId: string,
  counts: { status: SendJobStatus; requested: number; valid: number; invalid: number; estimatedPrice: number }
): Promise<void> {
  await tx
    .updateTable('send_jobs')
    .set({
      status: counts.status,
      requested: counts.requested,
      valid: counts.valid,
      invalid: counts.invalid,
      estimated_price: counts.estimatedPrice
    })
    .where('account_id', '=', accountId)
    .where('id', '=', jobId)
    .execute()
}

/** The job, locked until the transaction ends: one expansion batch at a time. */
export async function lockSendJob(tx: Tx, accountId: string, jobId: string): Promise<SendJobRow | undefined> {
  return await tx
    .selectFrom('send_jobs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', jobId)
    .forUpdate()
    .executeTakeFirst()
}

export async function completeSendJob(tx: Tx, accountId: string, jobId: string): Promise<void> {
  await tx
    .updateTable('send_jobs')
    .set({ status: 'completed', updated_at: new Date() })
    .where('account_id', '=', accountId)
    .where('id', '=', jobId)
    .execute()
}

/** Moves the expansion's cursor past a committed batch and adds its counts. */
export async function advanceSendJob(
  tx: Tx,
  accountId: string,
  jobId: string,
  batch: { cursor: string; valid: number; invalid: number }
): Promise<void> {
  await tx
    .updateTable('send_jobs')
    .set((eb) => ({
      cursor: batch.cursor,
      valid: eb('valid', '+', batch.valid),
      invalid: eb('invalid', '+', batch.invalid),
      updated_at: new Date()
    }))
    .where('account_id', '=', accountId)
    .where('id', '=', jobId)
    .execute()
}

export async function findSendJob(
  db: DbOrTx,
  accountId: string,
  jobId: string,
  scope: GroupScope
): Promise<SendJobRow | undefined> {
  let query = db.selectFrom('send_jobs').selectAll().where('account_id', '=', accountId).where('id', '=', jobId)
  if (scope) query = query.where('group_id', 'in', scope)
  return await query.executeTakeFirst()
}
