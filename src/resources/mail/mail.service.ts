import type { Tx } from '../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { enqueueMailSend } from '../../jobs/mail-send.contract.ts'
import { newId } from '../../shared/ids.ts'
import { renderMail, type MailData, type MailKind } from './mail-kinds.ts'
import { insertMail } from './mail.repository.ts'

export interface MailRequest<K extends MailKind> {
  accountId: string
  to: string
  kind: K
  /** What the kind's template (mail-kinds.ts) needs. */
  data: MailData<K>
  /** Tags the send task's log lines with the request that caused the mail. */
  requestId?: string
}

/**
 * Writes a mail in the caller's transaction, so it exists if and only if the change that causes it
 * commits. With SMTP configured its send task is enqueued in that same transaction, and a refusing
 * server delays the mail but never loses it; without SMTP it is kept for Administrators to read
 * (GET …/mail). The mail is rendered now: what was sent is what the API shows. Answers its id.
 */
export async function queueMail<K extends MailKind>(
  tx: Tx,
  { queue, config }: Pick<Deps, 'queue' | 'config'>,
  mail: MailRequest<K>
): Promise<string> {
  const id = newId()
  const rendered = renderMail(mail.kind, mail.data, config.mail.publicUrl)
  const smtp = config.mail.smtpUrl !== undefined
  await insertMail(tx, mail.accountId, {
    id,
    recipient: mail.to,
    kind: mail.kind,
    ...rendered,
    status: smtp ? 'pending' : 'kept'
  })
  if (smtp)
    await enqueueMailSend(tx, queue, config.mail, { accountId: mail.accountId, mailId: id, requestId: mail.requestId })
  return id
}
