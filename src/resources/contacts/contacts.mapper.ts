import { auditStamps } from '../../shared/audit.ts'
import type { ContactView } from './contacts.table.ts'
import { type ContactShape, optedOutError } from './contacts.schemas.ts'

function iso(date: Date | null): string | undefined {
  return date ? date.toISOString() : undefined
}

export function toContact(row: ContactView): ContactShape {
  const unreachableSince =
    [row.opted_out_at, row.blocked_at].filter((date) => date !== null).sort((a, b) => a.getTime() - b.getTime())[0] ??
    null
  return {
    id: row.id,
    ...(row.first_name !== null ? { firstName: row.first_name } : {}),
    ...(row.last_name !== null ? { lastName: row.last_name } : {}),
    ...(row.email !== null ? { email: row.email } : {}),
    mobile: { number: row.mobile, ...(row.country !== null ? { country: row.country } : {}) },
    tags: row.tags,
    attributes: row.attributes,
    valid: unreachableSince === null,
    ...(unreachableSince !== null ? { error: optedOutError, blocked: unreachableSince.toISOString() } : {}),
    ...(row.opt_in_at !== null ? { optIn: iso(row.opt_in_at) } : {}),
    ...(row.opted_out_at !== null ? { optedOut: iso(row.opted_out_at) } : {}),
    assignedUser: row.assigned_user,
    integrations: row.integrations ?? {},
    ...auditStamps(row)
  }
}
