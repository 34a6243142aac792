import { composeMail, linkTo, type MailTemplate } from '../mail-layout.ts'

export interface ConversationAssignedData {
  recipientName: string
  conversationId: string
  /** The contact's name, or their number when they have none. */
  contactName: string
  groupName: string | null
  assignedBy: string
}

/** To a user another person assigned a conversation to, when their notifyOnAssignment preference is on. */
export const conversationAssignedMail: MailTemplate<ConversationAssignedData> = (data, publicUrl) =>
  composeMail({
    subject: `${data.assignedBy} assigned you the conversation with ${data.contactName}`,
    greeting: `Hello ${data.recipientName},`,
    paragraphs: [
      `${data.assignedBy} assigned you the conversation with ${data.contactName}` +
        (data.groupName === null ? '.' : ` in ${data.groupName}.`),
      'You get this mail because you chose to hear of assignments (notifyOnAssignment); you can turn it off in your user preferences.'
    ],
    action: { label: 'Open the conversation', url: linkTo(publicUrl, `/inbox/conversations/${data.conversationId}`) }
  })
