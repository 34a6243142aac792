import type { ColumnType, Generated, Selectable } from 'kysely'
import type { Principal } from '../../shared/principal.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import type { MessageMedia } from '../messages/messages.table.ts'
import type {
  CampaignFiltersShape,
  FieldMappingShape,
  ReportingShape,
  ScheduleShape,
  TriggerCode
} from './campaigns.schemas.ts'

type Json<T> = ColumnType<T, string, string>

export interface CampaignsTable {
  id: string
  account_id: string
  name: string
  description: string | null
  trigger_code: TriggerCode
  filters: Json<CampaignFiltersShape>
  template: string | null
  template_id: string | null
  media: Json<MessageMedia[]>
  /** The group to send from, as given: an id or an API code. */
  group_ref: string | null
  schedule: ColumnType<ScheduleShape | null, string | null, string | null>
  reporting: ColumnType<ReportingShape | null, string | null, string | null>
  field_mappings: Json<FieldMappingShape[]>
  paused: Generated<boolean>
  next_run_at: Date | null
  last_job_id: string | null
  run_as: Json<Principal>
  created_at: Generated<Date>
  created_by: ColumnType<ActorShape, string, never>
  updated_at: Generated<Date>
  updated_by: ColumnType<ActorShape, string, string>
}

export type CampaignRow = Selectable<CampaignsTable>

/** A campaign's last run: its send job's counts. */
export interface CampaignJobRow {
  id: string
  created_at: Date
  status: string
  requested: number
  invalid: number
  failures: number
  price: number
}
