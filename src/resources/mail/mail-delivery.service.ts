import type { JobRef } from '../../db/job-queue.ts'
import type { Deps } from '../../deps.ts'
import { lockPendingMail, recordAttempt } from './mail.repository.ts'
import { sendOverSmtp, smtpSettings } from './smtp.ts'

/** A refusal as the API shows it: the server's answer (e.g. "Mail command failed: 451 …"), bounded. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.slice(0, 500)
}

/**
 * Sends one pending mail. The row stays locked while the server is asked, so a retry cannot send
 * it beside a slow first attempt; a mail already sent (or kept, or given up) is left alone. A
 * refusal is recorded and thrown, so pg-boss retries it with backoff; the refusal of the last
 * retry marks it failed. Log lines name the mail by id only: never its recipient, subject or link.
 */
export async function deliverMail(
  { db, config, log }: Pick<Deps, 'db' | 'config' | 'log'>,
  accountId: string,
  mailId: string,
  job: JobRef
): Promise<void> {
  const settings = smtpSettings(config.mail)
  const refusal = await db.transaction().execute(async (tx) => {
    const mail = await lockPendingMail(tx, accountId, mailId)
    if (!mail) return undefined
    if (!settings) {
      // This process has no SMTP server (a worker configured apart from the instance that queued it):
      // the mail waits for a retry in a process that has one.
      throw new Error('PARLEY_SMTP_URL is not set in this worker; the mail stays pending')
    }
    try {
      await sendOverSmtp(settings, mail)
    } catch (error) {
      const lastTry = job.retryCount >= config.mail.retryLimit
      await recordAttempt(tx, accountId, mailId, {
        status: lastTry ? 'failed' : 'pending',
        error: describeFailure(error)
      })
      // The server's words go to the row (Administrators read them), not to the log: a server may quote the message.
      const { code, responseCode } = error as { code?: string; responseCode?: number }
      log.warn({ mail: mailId, attempt: mail.attempts + 1, lastTry, code, responseCode }, 'mail refused')
      return lastTry ? undefined : error
    }
    await recordAttempt(tx, accountId, mailId, { status: 'sent', error: null })
    log.info({ mail: mailId, attempt: mail.attempts + 1 }, 'mail sent')
    return undefined
  })
  // Thrown after the commit, so the attempt and its error stay recorded while pg-boss retries.
  if (refusal !== undefined) throw refusal
}
