import type { ActorShape, UpdatedShape } from './schemas.ts'

/** The created/updated object of every resource: when, and who did it. */
export function audit (at: Date, by: ActorShape): UpdatedShape {
  return { at: at.toISOString(), by }
}

export function actorJson (actor: ActorShape): string {
  return JSON.stringify(actor)
}
