import type { DbOrTx } from '../../db/database.ts'
import type { Principal } from '../../shared/principal.ts'
import { eventsAfter, type StoredEvent } from './inbox.repository.ts'
import { ADMINISTRATOR_EVENTS, STREAMED_EVENTS, type StreamEvent } from './inbox.schemas.ts'
import { currentAccess, type Access, type Gone } from './stream-access.ts'

export function toStreamEvent(row: StoredEvent): StreamEvent {
  return {
    seq: row.seq,
    id: row.id,
    type: row.event_type,
    createdAt: row.created_at.toISOString(),
    payload: row.payload
  }
}

/** The group an event belongs to: every streamed payload names it as `group.id` (null: no group). */
function groupOf(payload: unknown): string | null {
  const group = (payload as { group?: { id?: unknown } | null } | null)?.group
  return typeof group?.id === 'string' ? group.id : null
}

/** One page of a replay: the events the viewer sees, and the seq to read on from (undefined: nothing more). */
export interface ReplayPage {
  events: StreamEvent[]
  next: number | undefined
}

/**
 * What one stream's caller may see, by the rule every endpoint follows (group-access.ts): members
 * see their groups' events, an account-wide credential every group's; sender events go to
 * Administrators only. The access is the database's at connection, then whatever the hub's re-check
 * finds (a role or membership change applies to an open stream within that bound).
 */
export class Viewer {
  readonly #db: DbOrTx
  readonly principal: Principal
  #access: Access

  private constructor(db: DbOrTx, principal: Principal, access: Access) {
    this.#db = db
    this.principal = principal
    this.#access = access
  }

  /** The viewer, or why the principal may see nothing (the authentication cache may not know yet). */
  static async load(db: DbOrTx, principal: Principal): Promise<Viewer | Gone> {
    const access = (await currentAccess(db, principal.accountId, [principal])).get(principal)!
    return typeof access === 'string' ? access : new Viewer(db, principal, access)
  }

  update(access: Access): void {
    this.#access = access
  }

  sees(event: StreamEvent): boolean {
    if (ADMINISTRATOR_EVENTS.has(event.type)) return this.#access.role === 'Administrator'
    if (this.#access.groups === 'all') return true
    const group = groupOf(event.payload)
    return group !== null && this.#access.groups.has(group)
  }

  /** The events the caller may see among the next `size` recorded after `afterSeq`, oldest first. */
  async missedPage(afterSeq: number, size: number): Promise<ReplayPage> {
    const rows = await eventsAfter(this.#db, this.principal.accountId, afterSeq, STREAMED_EVENTS, size)
    return {
      events: rows.map(toStreamEvent).filter((event) => this.sees(event)),
      next: rows.length < size ? undefined : rows.at(-1)!.seq
    }
  }
}
