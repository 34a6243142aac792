import type { ActorShape, UpdatedShape } from './schemas.ts'

/** The created/updated object of every resource: when, and who did it. */
export function audit(at: Date, by: ActorShape): UpdatedShape {
  return { at: at.toISOString(), by }
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
