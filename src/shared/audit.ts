import type { ActorShape, UpdatedShape } from './schemas.ts'

/**
 * Sakari's `by` names the acting person with `firstName` and `lastName`. A user is stored with both;
 * any other actor (an account-wide API client, Parley itself, a contact without a name) shows its
 * display name as `firstName` with an empty `lastName`, as do rows stored before the names were.
 */
function withNames(by: ActorShape): ActorShape {
  if (by.firstName !== undefined && by.lastName !== undefined) return by
  return { ...by, firstName: by.firstName ?? by.name ?? '', lastName: by.lastName ?? '' }
}

/** The created/updated object of every resource: when, and who did it. */
export function audit(at: Date, by: ActorShape): UpdatedShape {
  return { at: at.toISOString(), by: withNames(by) }
}

interface AuditedRow {
  created_at: Date
  created_by: ActorShape
  updated_at: Date
  updated_by: ActorShape
}

/** `created` and `updated` of a row with the four audit columns, for a resource's mapper. */
export function auditStamps(row: AuditedRow): { created: UpdatedShape; updated: UpdatedShape } {
  return { created: audit(row.created_at, row.created_by), updated: audit(row.updated_at, row.updated_by) }
}

export function actorJson(actor: ActorShape): string {
  return JSON.stringify(actor)
}
