import { Readable } from 'node:stream'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import type { Tx } from '../db/database.ts'
import { ApiError } from '../errors/api-error.ts'
import { importContacts, ImportOptions, inSlices } from '../resources/contacts/contacts-import.ts'
import { csvFault } from '../resources/contacts/contacts-upload.ts'
import {
  findImport,
  finishImport,
  markRunning,
  readChunks,
  saveProgress
} from '../resources/contacts/imports.repository.ts'
import { defineTask, type Queue } from './queue.ts'

const ContactsImportPayload = Type.Object({
  accountId: Type.String(),
  importId: Type.String(),
  requestId: Type.Optional(Type.String())
})

const RETRY_LIMIT = 2

/** Imports a CSV staged by a large upload (src/resources/contacts/contacts-upload.ts). */
export const contactsImportTask = defineTask({
  name: 'contacts-import',
  payload: ContactsImportPayload,
  queue: { retryLimit: RETRY_LIMIT, retryDelay: 5, expireInSeconds: 3600 },
  run: async ({ db, config }, { accountId, importId }, job) => {
    const limits = config.imports
    const staged = await findImport(db, accountId, importId)
    if (!staged || staged.status === 'completed' || staged.status === 'failed') return
    await markRunning(db, accountId, importId)
    try {
      const tally = await importContacts(
        db,
        accountId,
        Readable.from(inSlices(readChunks(db, importId))),
        Value.Parse(ImportOptions, staged.options),
        {
          actor: staged.created_by,
          // A retry is a new run: rows the failed attempt wrote are updated, not reported as duplicates.
          runId: `${importId}/${job.retryCount}`,
          batchRows: limits.batchRows,
          maxRecordBytes: limits.maxRowBytes,
          keepContacts: false,
          onProgress: (progress) => saveProgress(db, accountId, importId, progress)
        }
      )
      await finishImport(db, accountId, importId, { tally })
    } catch (error) {
      const refusal = error instanceof ApiError ? error : csvFault(error, limits.maxRowBytes)
      // A refused file fails for good; anything else (the database going away) is retried by pg-boss.
      if (refusal || job.retryCount >= RETRY_LIMIT) {
        await finishImport(db, accountId, importId, {
          failure: refusal?.message ?? 'The import failed; see the server log'
        })
      }
      if (!refusal) throw error
    }
  }
})

export async function enqueueContactsImport(
  tx: Tx,
  queue: Queue,
  payload: Static<typeof ContactsImportPayload>
): Promise<void> {
  await queue.enqueue(tx, contactsImportTask, payload)
}
