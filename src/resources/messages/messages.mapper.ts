import { audit } from '../../shared/audit.ts'
import { systemActor } from '../../shared/principal.ts'
import type { MessageView } from './messages.table.ts'
import type { MessageShape } from './messages.schemas.ts'

const iso = (date: Date | null) => (date ? { value: date.toISOString() } : undefined)

function timestamps(row: MessageView) {
  const fields = {
    queuedAt: row.queued_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
    receivedAt: row.received_at,
    sendAt: row.send_at
  }
  return Object.fromEntries(
    Object.entries(fields).flatMap(([name, date]) => (iso(date) ? [[name, iso(date)!.value]] : []))
  )
}

export function toMessage(row: MessageView): MessageShape {
  return {
    id: row.id,
    status: row.status,
    type: row.type,
    message: row.body,
    ...(row.template !== null ? { template: row.template } : {}),
    outgoing: row.outgoing,
    phoneNumber: row.sender_number,
    price: Number(row.price),
    segments: row.segments,
    encoding: row.encoding,
    read: row.read,
    media: row.media,
    contact: {
      id: row.contact_id,
      ...(row.contact_first_name !== null ? { firstName: row.contact_first_name } : {}),
      ...(row.contact_last_name !== null ? { lastName: row.contact_last_name } : {}),
      ...(row.contact_email !== null ? { email: row.contact_email } : {}),
      mobile: { number: row.contact_mobile, ...(row.contact_country !== null ? { country: row.contact_country } : {}) },
      ...(row.contact_integrations !== null ? { integrations: row.contact_integrations } : {})
    },
    conversation: { id: row.conversation_id, closed: row.conversation_closed },
    group: row.group_id !== null && row.group_name !== null ? { id: row.group_id, name: row.group_name } : null,
    ...(row.job_id !== null ? { jobId: row.job_id } : {}),
    ...(row.error_code !== null ? { error: { code: row.error_code, description: row.error_description ?? '' } } : {}),
    ...timestamps(row),
    created: audit(row.created_at, row.created_by),
    // Changes after creation come from the carrier's reports, not from a person.
    updated: audit(row.updated_at, row.updated_at.getTime() === row.created_at.getTime() ? row.created_by : systemActor)
  }
}
