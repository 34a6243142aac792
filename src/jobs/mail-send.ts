import { defineTask } from '../db/job-queue.ts'
import { deliverMail } from '../resources/mail/mail-delivery.service.ts'
import { mailSendContract } from './mail-send.contract.ts'

/**
 * Sends one queued mail. Retries and their backoff are set on each job as it is enqueued
 * (mail-send.contract.ts), from PARLEY_MAIL_RETRY_LIMIT and PARLEY_MAIL_RETRY_DELAY_SECONDS.
 */
export const mailSendTask = defineTask({
  ...mailSendContract,
  queue: { expireInSeconds: 300 },
  concurrency: () => 2,
  run: async (deps, { accountId, mailId }, job) => {
    await deliverMail(deps, accountId, mailId, job)
  }
})
