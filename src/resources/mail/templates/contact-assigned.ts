import { composeMail, linkTo, type MailTemplate } from '../mail-layout.ts'

export interface ContactAssignedData {
  recipientName: string
  contactId: string
  /** The contact's name, or their number when they have none. */
  contactName: string
  assignedBy: string
}

/**
 * To a user another person assigned a contact to (PUT …/contacts/{contactId} with assignedUser):
 * the contact's conversations are theirs from then on. Sent when their notifyOnAssignment is on.
 */
export const contactAssignedMail: MailTemplate<ContactAssignedData> = (data, publicUrl) =>
  composeMail({
    subject: `${data.assignedBy} assigned you ${data.contactName}`,
    greeting: `Hello ${data.recipientName},`,
    paragraphs: [
      `${data.assignedBy} assigned you the contact ${data.contactName}: their conversations are yours to answer.`,
      'You get this mail because you chose to hear of assignments (notifyOnAssignment); you can turn it off in your user preferences.'
    ],
    action: { label: 'Open the contact', url: linkTo(publicUrl, `/inbox/contacts/${data.contactId}`) }
  })
