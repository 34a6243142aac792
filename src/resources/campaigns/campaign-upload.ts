import { parse } from 'csv-parse/sync'
import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors/api-error.ts'
import { actorOf, type Principal } from '../../shared/principal.ts'
import { receiveUpload } from '../contacts/contacts-upload.ts'
import type { ContactUploadShape } from '../contacts/imports.schemas.ts'
import { toUploadResult } from '../contacts/imports.mapper.ts'
import { findCampaign } from './campaigns.repository.ts'
import type { FieldMappingShape } from './campaigns.schemas.ts'
import { campaignNotFound, runUploadedCampaign, type CampaignJobShape } from './campaigns.service.ts'

/** fieldMappings as the import's column mapping: a core field name, or a custom attribute's name. */
function columnMapping(mappings: readonly FieldMappingShape[]): Record<string, string> {
  return Object.fromEntries(mappings.map((mapping) => [mapping.column, mapping.attribute]))
}

/**
 * The file as it streams, refused (CAMP-005) before anything is written when its header row lacks a
 * column that a mandatory field mapping names. Only the bytes up to the first line break are held.
 */
async function* withMandatoryColumns(
  source: AsyncIterable<Buffer>,
  mandatory: readonly string[]
): AsyncIterable<Buffer> {
  const held: Buffer[] = []
  let checked = mandatory.length === 0
  for await (const chunk of source) {
    if (checked) {
      yield chunk
      continue
    }
    held.push(chunk)
    const text = Buffer.concat(held).toString('utf8')
    const end = text.indexOf('\n')
    if (end === -1) continue
    checkHeader(text.slice(0, end), mandatory)
    checked = true
    yield* held.splice(0)
  }
  if (!checked) checkHeader(Buffer.concat(held).toString('utf8'), mandatory)
  yield* held
}

function checkHeader(line: string, mandatory: readonly string[]): void {
  const [header = []] = parse(line, { bom: true, relax_column_count: true }) as string[][]
  const present = new Set(header.map((name) => name.trim().toLowerCase()))
  const missing = mandatory.filter((column) => !present.has(column.trim().toLowerCase()))
  if (missing.length > 0)
    throw new ApiError(
      'CAMP-005',
      `The file lacks the mandatory columns of the campaign's fieldMappings: ${missing.join(', ')}`
    )
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
    withMandatoryColumns(
      source,
      campaign.field_mappings.filter((field) => field.mandatory).map((field) => field.column)
    ),
    { mergeStrategy: 'append', mapping, exclude: [] }
  )
  if ('jobId' in outcome) return { importJobId: outcome.jobId }
  const job = await deps.db
    .transaction()
    .execute((tx) => runUploadedCampaign(tx, deps, accountId, campaignId, outcome.runId))
  return { upload: toUploadResult(outcome.tally), job: job ?? null }
}
