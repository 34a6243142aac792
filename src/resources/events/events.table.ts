import type { ColumnType, Generated } from 'kysely'

export interface EventsTable {
  id: string
  account_id: string
  event_type: string
  payload: ColumnType<unknown, string, never>
  created_at: Generated<Date>
  /** Order of recording: within a transaction strictly increasing, unlike created_at. */
  seq: Generated<number>
}
