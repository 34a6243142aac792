import { Readable } from 'node:stream'
import { Value } from 'typebox/value'
import type { Deps } from '../deps.ts'
import { ApiError } from '../errors/api-error.ts'
import {
  csvFault,
  importContacts,
  ImportOptions,
  inSlices,
  type ImportTally
} from '../resources/contacts/csv-import.ts'
import {
  findImport,
  finishImport,
  markRunning,
  readChunks,
  saveProgress
} from '../resources/contacts/imports.repository.ts'
import { runUploadedCampaign } from '../resources/campaigns/campaigns.service.ts'
import { defineTask } from '../db/job-queue.ts'
import { contactsImportContract } from './contacts-import.contract.ts'

const RETRY_LIMIT = 2

/** Imports a CSV staged by a large upload (src/resources/contacts/contacts-upload.ts). */
export const contactsImportTask = defineTask({
  ...contactsImportContract,
  queue: { retryLimit: RETRY_LIMIT, retryDelay: 5, expireInSeconds: 3600 },
  run: async (deps, { accountId, importId, campaignId }, job) => {
    const { db, config } = deps
    const limits = config.imports
    const staged = await findImport(db, accountId, importId)
    if (!staged || staged.status === 'completed' || staged.status === 'failed') return
    await markRunning(db, accountId, importId)
    // A retry is a new run: rows the failed attempt wrote are updated, not reported as duplicates.
    const runId = `${importId}/${job.retryCount}`
    let tally: ImportTally
    try {
      tally = await importContacts(
        db,
        accountId,
        Readable.from(inSlices(readChunks(db, importId))),
        Value.Parse(ImportOptions, staged.options),
        {
          actor: staged.created_by,
          runId,
          batchRows: limits.batchRows,
          maxRecordBytes: limits.maxRowBytes,
          keepContacts: false,
          onProgress: (progress) => saveProgress(db, accountId, importId, progress)
        }
      )
    } catch (error) {
      const refusal = error instanceof ApiError ? error : csvFault(error, limits.maxRowBytes)
      // A refused file fails for good; anything else (the database going away) is retried by pg-boss.
      if (refusal || job.retryCount >= RETRY_LIMIT) {
        await finishImport(db, accountId, importId, {
          failure: refusal?.message ?? 'The import failed; see the server log'
        })
      }
      if (!refusal) throw error
      return
    }
    await finishWithCampaign(deps, accountId, importId, tally, campaignId, runId)
  }
})

/**
 * Marks the import completed in the transaction that writes its file-upload campaign's send, so a
 * failure between the two leaves the import to be retried rather than completed without its send.
 * A run the campaign's settings refuse is logged, and the import still completes.
 */
async function finishWithCampaign(
  deps: Deps,
  accountId: string,
  importId: string,
  tally: ImportTally,
  campaignId: string | undefined,
  runId: string
): Promise<void> {
  try {
    await deps.db.transaction().execute(async (tx) => {
      await finishImport(tx, accountId, importId, { tally })
      if (campaignId !== undefined) await runUploadedCampaign(tx, deps, accountId, campaignId, runId)
    })
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    deps.log.warn({ campaignId, code: error.code, reason: error.message }, 'file upload campaign run refused')
    await finishImport(deps.db, accountId, importId, { tally })
  }
}
