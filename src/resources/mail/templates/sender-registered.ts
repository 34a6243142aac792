import { composeMail, linkTo, type MailTemplate } from '../mail-layout.ts'

export interface SenderRegisteredData {
  recipientName: string
  senderNumber: string
  groupName: string | null
}

/** To each Administrator when a sender's carrier registration completes (status active): it can send now. */
export const senderRegisteredMail: MailTemplate<SenderRegisteredData> = (data, publicUrl) =>
  composeMail({
    subject: `Sender ${data.senderNumber} is registered and can send`,
    greeting: `Hello ${data.recipientName},`,
    paragraphs: [
      `The carrier registration of sender ${data.senderNumber} is complete: it is active and sends messages from now on.`,
      data.groupName === null
        ? 'It is in no group yet: add it to one so its users can send and reply from it.'
        : `Users of the group ${data.groupName} now see its inbox and can send from it.`
    ],
    action: { label: 'Open the inbox', url: linkTo(publicUrl, '/inbox') }
  })
