import type { Static } from 'typebox'
import { auditStamps } from '../../shared/audit.ts'
import type { CampaignJobRow, CampaignRow } from './campaigns.table.ts'
import type { CampaignJob } from './campaigns.schemas.ts'
import { type CampaignShape, type TriggerCode } from './campaigns.schemas.ts'

const TRIGGER_NAMES: Record<TriggerCode, string> = { M: 'Manual', S: 'Scheduled', FU: 'File Upload' }

export function toCampaignJob(job: CampaignJobRow): Static<typeof CampaignJob> {
  return {
    id: job.id,
    created: job.created_at.toISOString(),
    status: job.status,
    submitted: job.requested,
    failures: job.failures,
    invalid: job.invalid,
    price: job.price
  }
}

export function toCampaign(row: CampaignRow, lastJob: CampaignJobRow | undefined): CampaignShape {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    trigger: { code: row.trigger_code, name: TRIGGER_NAMES[row.trigger_code] },
    filters: row.filters,
    template: row.template,
    templateId: row.template_id,
    media: row.media,
    phoneNumberFilter: row.group_ref === null ? null : { group: { id: row.group_ref } },
    schedule: row.schedule,
    reporting: row.reporting,
    fieldMappings: row.field_mappings,
    lastJob: lastJob ? toCampaignJob(lastJob) : null,
    nextExecution: row.trigger_code === 'S' && !row.paused ? (row.next_run_at?.toISOString() ?? null) : null,
    paused: row.paused,
    ...auditStamps(row)
  }
}
