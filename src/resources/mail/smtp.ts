import { createTransport } from 'nodemailer'
import type { MailOptions } from '../../config.ts'
import type { OutgoingMailRow } from './mail.table.ts'

export interface SmtpSettings {
  smtpUrl: string
  from: string
  /** The host part of Message-ID, so a mail sent twice (a crash after the server took it) reads as one. */
  messageIdHost: string
}

export function smtpSettings(mail: MailOptions): SmtpSettings | undefined {
  if (mail.smtpUrl === undefined || mail.from === undefined) return undefined
  return { smtpUrl: mail.smtpUrl, from: mail.from, messageIdHost: new URL(mail.publicUrl).hostname }
}

/**
 * Hands one mail to the SMTP server through nodemailer (one connection a mail: Parley's mail is a
 * few a minute, and nothing stays open to close at shutdown). nodemailer's own logger stays off:
 * it would log the message, link included.
 */
export async function sendOverSmtp(settings: SmtpSettings, mail: OutgoingMailRow): Promise<void> {
  const transport = createTransport({
    url: settings.smtpUrl,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    logger: false,
    debug: false
  })
  try {
    await transport.sendMail({
      from: settings.from,
      to: mail.recipient,
      subject: mail.subject,
      text: mail.text_body,
      html: mail.html_body,
      messageId: `<${mail.id}@${settings.messageIdHost}>`
    })
  } finally {
    transport.close()
  }
}
