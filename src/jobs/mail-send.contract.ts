import { Type, type Static } from 'typebox'
import type { MailOptions } from '../config.ts'
import type { Tx } from '../db/database.ts'
import { defineContract, type Queue } from '../db/job-queue.ts'

const MailSendPayload = Type.Object({
  accountId: Type.String(),
  mailId: Type.String(),
  requestId: Type.Optional(Type.String())
})

/** Hands one queued mail to the SMTP server; run in ./mail-send.ts. */
export const mailSendContract = defineContract({ name: 'mail-send', payload: MailSendPayload })

/**
 * The job that sends a mail, in the transaction that wrote it. A refusal is retried after
 * PARLEY_MAIL_RETRY_DELAY_SECONDS, doubling each time (with pg-boss's jitter) up to an hour.
 */
export async function enqueueMailSend(
  tx: Tx,
  queue: Queue,
  mail: Pick<MailOptions, 'retryLimit' | 'retryDelaySeconds'>,
  payload: Static<typeof MailSendPayload>
): Promise<void> {
  await queue.enqueue(tx, mailSendContract, payload, {
    retryLimit: mail.retryLimit,
    retryDelay: mail.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 3600
  })
}
