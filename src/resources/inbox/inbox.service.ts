import type { DbOrTx } from '../../db/database.ts'
import type { Principal } from '../../shared/principal.ts'
import { groupsUsableBy } from '../groups/group-access.ts'
import { eventsAfter, type StoredEvent } from './inbox.repository.ts'
import { ADMINISTRATOR_EVENTS, STREAMED_EVENTS, type StreamEvent } from './inbox.schemas.ts'

// Membership changes reach an open stream within this long; a new connection sees them at once.
const GROUPS_REFRESH_MS = 30_000
const REPLAY_PAGE = 500

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

/**
 * What one stream's caller may see, by the rule every endpoint follows (group-access.ts): members
 * see their groups' events, an account-wide credential every group's; sender events go to
 * Administrators only.
 */
export class Viewer {
  readonly #db: DbOrTx
  readonly #principal: Principal
  #groups: 'all' | ReadonlySet<string>
  #refresh: NodeJS.Timeout | undefined

  private constructor(db: DbOrTx, principal: Principal, groups: 'all' | ReadonlySet<string>) {
    this.#db = db
    this.#principal = principal
    this.#groups = groups
  }

  static async load(db: DbOrTx, principal: Principal): Promise<Viewer> {
    const viewer = new Viewer(db, principal, await Viewer.#groupsOf(db, principal))
    if (principal.user) {
      viewer.#refresh = setInterval(() => {
        Viewer.#groupsOf(db, principal).then(
          (groups) => (viewer.#groups = groups),
          () => {}
        )
      }, GROUPS_REFRESH_MS)
      viewer.#refresh.unref()
    }
    return viewer
  }

  static async #groupsOf(db: DbOrTx, principal: Principal): Promise<'all' | ReadonlySet<string>> {
    const groups = await groupsUsableBy(db, principal)
    return groups === 'all' ? groups : new Set(groups)
  }

  sees(event: StreamEvent): boolean {
    if (ADMINISTRATOR_EVENTS.has(event.type)) return this.#principal.role === 'Administrator'
    if (this.#groups === 'all') return true
    const group = groupOf(event.payload)
    return group !== null && this.#groups.has(group)
  }

  /** What the caller missed after `afterSeq`, oldest first; stops once it has more than `limit`. */
  async missedSince(afterSeq: number, limit: number): Promise<StreamEvent[]> {
    const missed: StreamEvent[] = []
    let cursor = afterSeq
    while (missed.length <= limit) {
      const page = await eventsAfter(this.#db, this.#principal.accountId, cursor, STREAMED_EVENTS, REPLAY_PAGE)
      for (const row of page) {
        const event = toStreamEvent(row)
        if (this.sees(event)) missed.push(event)
      }
      if (page.length < REPLAY_PAGE) break
      cursor = page.at(-1)!.seq
    }
    return missed
  }

  stop(): void {
    clearInterval(this.#refresh)
  }
}
