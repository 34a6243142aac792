import type { DbOrTx, Tx } from '../../db/database.ts'
import { countRows, withTotalCount } from '../../db/count.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { MailStatus, OutgoingMailRow } from './mail.table.ts'

export interface NewMail {
  id: string
  recipient: string
  kind: string
  subject: string
  text: string
  html: string
  status: MailStatus
}

export async function insertMail(tx: Tx, accountId: string, mail: NewMail): Promise<void> {
  await tx
    .insertInto('outgoing_mail')
    .values({
      id: mail.id,
      account_id: accountId,
      recipient: mail.recipient,
      kind: mail.kind,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      status: mail.status
    })
    .execute()
}

export async function findMail(db: DbOrTx, accountId: string, mailId: string): Promise<OutgoingMailRow | undefined> {
  return await db
    .selectFrom('outgoing_mail')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', mailId)
    .executeTakeFirst()
}

/** The mail a send task works on, locked so two runs of one job (a retry racing a slow first try) take turns. */
export async function lockPendingMail(tx: Tx, accountId: string, mailId: string): Promise<OutgoingMailRow | undefined> {
  return await tx
    .selectFrom('outgoing_mail')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', mailId)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst()
}

export async function recordAttempt(
  tx: Tx,
  accountId: string,
  mailId: string,
  outcome: { status: MailStatus; error: string | null }
): Promise<void> {
  await tx
    .updateTable('outgoing_mail')
    .set((eb) => ({
      status: outcome.status,
      attempts: eb('attempts', '+', 1),
      last_error: outcome.error,
      ...(outcome.status === 'sent' ? { sent_at: new Date() } : {})
    }))
    .where('account_id', '=', accountId)
    .where('id', '=', mailId)
    .execute()
}

export interface MailFilter extends PageRequest {
  status?: MailStatus
  kind?: string
}

/** The account's mail, newest first. */
export async function listMail(db: DbOrTx, accountId: string, filter: MailFilter): Promise<Page<OutgoingMailRow>> {
  let matching = db.selectFrom('outgoing_mail').where('account_id', '=', accountId)
  if (filter.status) matching = matching.where('status', '=', filter.status)
  if (filter.kind) matching = matching.where('kind', '=', filter.kind)
  const items = await matching
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute()
  return await withTotalCount(filter, items, () => countRows(matching))
}
