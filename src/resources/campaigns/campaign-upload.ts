import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors/api-error.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import { receiveUpload } from '../contacts/contacts-upload.ts'
import { toUploadResult, type ContactUploadShape } from '../contacts/imports.schemas.ts'
import { findCampaign } from './campaigns.repository.ts'
import type { FieldMappingShape } from './campaigns.schemas.ts'
import { campaignNotFound, runUploadedCampaign, type CampaignJobShape } from './campaigns.service.ts'

/** fieldMappings as the import's column mapping: a core field name, or a custom attribute's name. */
function columnMapping(mappings: readonly FieldMappingShape[]): Record<string, string> {
  return Object.fromEntries(mappings.map((mapping) => [mapping.column, mapping.attribute]))
}

/**
 * POST …/campaigns/{id}/upload: the file's rows become or update contacts through the contact import
 * (the same checks, merge and events), then the campaign sends to exactly those contacts. A small
 * file is imported and sent in the request; a large one is staged and its import job runs the
 * campaign when the rows are written.
 */
export async function uploadToCampaign(
  deps: Deps,
  principal: Principal,
  campaignId: string,
  source: AsyncIterable<Buffer>,
  requestId: string
): Promise<{ upload: ContactUploadShape; job: CampaignJobShape | null } | { importJobId: string }> {
  const { accountId } = principal
  const campaign = await findCampaign(deps.db, accountId, campaignId)
  if (!campaign) throw campaignNotFound(campaignId)
  if (campaign.trigger_code !== 'FU')
    throw new ApiError('CAMP-004', `Campaign ${campaignId} is not a file upload (FU) campaign`)
  const mapping = columnMapping(campaign.field_mappings)
  const outcome = await receiveUpload(
    {
      db: deps.db,
      queue: deps.queue,
      accountId,
      actor: actorOf(principal),
      limits: deps.config.imports,
      requestId,
      campaignId
    },
    source,
    { mergeStrategy: 'append', mapping, exclude: [] }
  )
  if ('jobId' in outcome) return { importJobId: outcome.jobId }
  const job = await runUploadedCampaign(deps, accountId, campaignId, outcome.runId)
  return { upload: toUploadResult(outcome.tally), job: job ?? null }
}
