import type { Generated, Selectable } from 'kysely'

/** kept: no SMTP configured, readable through the API only; pending → sent, or failed after the last retry. */
export const MAIL_STATUSES = ['kept', 'pending', 'sent', 'failed'] as const
export type MailStatus = (typeof MAIL_STATUSES)[number]

export interface OutgoingMailTable {
  id: string
  account_id: string
  recipient: string
  kind: string
  subject: string
  text_body: string
  html_body: string
  status: MailStatus
  attempts: Generated<number>
  last_error: string | null
  created_at: Generated<Date>
  sent_at: Date | null
}

export type OutgoingMailRow = Selectable<OutgoingMailTable>
