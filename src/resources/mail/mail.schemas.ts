import { Type, type Static } from 'typebox'
import { nullable } from '../../lib/nullable-schema.ts'
import { AccountParams, paginationQuery } from '../../shared/schemas.ts'
import { MAIL_KINDS } from './mail-kinds.ts'
import { MAIL_STATUSES } from './mail.table.ts'
import type { OutgoingMailRow } from './mail.table.ts'

const MailStatus = Type.Enum(MAIL_STATUSES, {
  description:
    'kept: no SMTP server is configured (PARLEY_SMTP_URL), so the mail is only kept here; pending: queued or ' +
    'being retried; sent: the SMTP server accepted it; failed: every retry was refused'
})
const MailKind = Type.Enum(MAIL_KINDS, { description: 'Which of Parley’s mails this is' })

export const Mail = Type.Object(
  {
    id: Type.String(),
    to: Type.String({ description: 'The recipient’s address' }),
    kind: MailKind,
    subject: Type.String(),
    text: Type.String({ description: 'The plain-text part, with the link' }),
    html: Type.String({ description: 'The HTML part, with the link' }),
    status: MailStatus,
    attempts: Type.Integer({ minimum: 0, description: 'Times the SMTP server was asked to take it' }),
    lastError: nullable(Type.String({ description: 'What the SMTP server last answered, if it refused' })),
    createdAt: Type.String({ format: 'date-time' }),
    sentAt: nullable(Type.String({ format: 'date-time' }))
  },
  { $id: 'Mail' }
)

export const MailQuery = Type.Object({
  ...paginationQuery,
  status: Type.Optional(MailStatus),
  kind: Type.Optional(MailKind)
})

export const MailParams = Type.Object({ ...AccountParams.properties, mailId: Type.String() })

export type MailShape = Static<typeof Mail>

export function toMail(row: OutgoingMailRow): MailShape {
  return {
    id: row.id,
    to: row.recipient,
    kind: row.kind as MailShape['kind'],
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null
  }
}
