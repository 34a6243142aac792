import { Readable } from 'node:stream'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import type { ImportLimits } from '../config.ts'
import { ApiError } from '../errors/api-error.ts'
import { defineTask, type RunnableTask } from '../plugins/queue.ts'
import { importContacts, inSlices, type ImportOptions } from '../resources/contacts/contacts-import.ts'
import { CONTACTS_IMPORT_TASK, csvFault } from '../resources/contacts/contacts-upload.ts'
import {
  findImport,
  finishImport,
  markRunning,
  readChunks,
  saveProgress
} from '../resources/contacts/imports.repository.ts'

const ContactsImportJob = Type.Object({
  accountId: Type.String(),
  importId: Type.String(),
  requestId: Type.Optional(Type.String())
})

const RETRY_LIMIT = 2

/** Imports a CSV staged by a large upload (src/resources/contacts/contacts-upload.ts). */
export function contactsImportTask(limits: ImportLimits): RunnableTask {
  return defineTask({
    name: CONTACTS_IMPORT_TASK,
    queue: { retryLimit: RETRY_LIMIT, retryDelay: 5, expireInSeconds: 3600 },
    parse: (data) => Value.Parse(ContactsImportJob, data),
    run: async (app, { accountId, importId }, job) => {
      const staged = await findImport(app.db, accountId, importId)
      if (!staged || staged.status === 'completed' || staged.status === 'failed') return
      await markRunning(app.db, accountId, importId)
      try {
        const tally = await importContacts(
          app.db,
          accountId,
          Readable.from(inSlices(readChunks(app.db, importId))),
          staged.options as ImportOptions,
          {
            actor: staged.created_by,
            // A retry is a new run: rows the failed attempt wrote are updated, not reported as duplicates.
            runId: `${importId}/${job.retryCount}`,
            batchRows: limits.batchRows,
            maxRecordBytes: limits.maxRowBytes,
            keepContacts: false,
            onProgress: (progress) => saveProgress(app.db, accountId, importId, progress)
          }
        )
        await finishImport(app.db, accountId, importId, { tally })
      } catch (error) {
        const refusal = error instanceof ApiError ? error : csvFault(error, limits.maxRowBytes)
        // A refused file fails for good; anything else (the database going away) is retried by pg-boss.
        if (refusal || job.retryCount >= RETRY_LIMIT) {
          await finishImport(app.db, accountId, importId, {
            failure: refusal?.message ?? 'The import failed; see the server log'
          })
        }
        if (!refusal) throw error
      }
    }
  })
}
