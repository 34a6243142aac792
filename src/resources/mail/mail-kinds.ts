import type { MailTemplate } from './mail-layout.ts'
import { contactAssignedMail } from './templates/contact-assigned.ts'
import { conversationAssignedMail } from './templates/conversation-assigned.ts'
import { senderRegisteredMail } from './templates/sender-registered.ts'

/**
 * Every kind of mail Parley writes, each a template in ./templates/. Adding a kind is one template
 * function and its line here: queueMail's `data` is then typed by that template's parameter.
 */
export const mailTemplates = {
  'sender-registered': senderRegisteredMail,
  'conversation-assigned': conversationAssignedMail,
  'contact-assigned': contactAssignedMail
} as const

export type MailKind = keyof typeof mailTemplates
export type MailData<K extends MailKind> = Parameters<(typeof mailTemplates)[K]>[0]

export const MAIL_KINDS = Object.keys(mailTemplates) as MailKind[]

export function renderMail<K extends MailKind>(kind: K, data: MailData<K>, publicUrl: string) {
  // TypeScript cannot relate a kind's template to its data through the generic, hence the cast.
  return (mailTemplates[kind] as MailTemplate<MailData<K>>)(data, publicUrl)
}
