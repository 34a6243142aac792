import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { ImportLimits } from '../../config.ts'
import type { Db } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { enqueueContactsImport } from '../../jobs/contacts-import.contract.ts'
import type { Queue } from '../../db/job-queue.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { AttributeCatalog } from './contact-values.ts'
import { csvFault, csvParser, importContacts, inSlices, type ImportOptions, type ImportTally } from './csv-import.ts'
import { planColumns } from './csv-columns.ts'
import { appendChunk, deleteImport, insertImport, markQueued } from './imports.repository.ts'

export interface UploadContext {
  db: Db
  queue: Queue
  accountId: string
  actor: ActorShape
  limits: ImportLimits
  requestId: string
  /** A file-upload campaign to run over the file's contacts once they are written. */
  campaignId?: string
}

/** `runId` marks the contacts a synchronous import wrote (their last_import_id). */
export type UploadOutcome = { tally: ImportTally; runId: string } | { jobId: string }

// Staged chunks are a few MB: few rows in the chunk table, little memory per insert.
const STAGED_CHUNK_BYTES = 4 * 1024 * 1024

/**
 * Receives an upload as it streams in. A parser reads along to check the header (before any row is
 * written) and the CSV structure; the rows stay in memory only while the upload is small. Past the
 * synchronous limits the file is staged in the database and a job imports it: any instance's worker
 * can run it, and the job is enqueued in the transaction that marks the staged file complete.
 */
export async function receiveUpload(
  context: UploadContext,
  source: AsyncIterable<Buffer>,
  options: ImportOptions
): Promise<UploadOutcome> {
  const { db, accountId, limits } = context
  const catalog = await AttributeCatalog.load(db, accountId)
  const checker = csvParser(limits.maxRowBytes)
  let header: string[] | undefined
  let rows = 0
  let fault: Error | undefined
  checker.on('data', ({ record }: { record: string[] }) => {
    if (header) rows++
    else header = record
  })
  checker.on('error', (error) => {
    fault ??= error
  })
  const check = () => {
    if (fault) throw csvFault(fault, limits.maxRowBytes) ?? fault
    if (header) planColumns(header, options, catalog)
  }

  const held: Buffer[] = []
  let bytes = 0
  let importId: string | undefined
  let seq = 0
  let staging: Buffer[] = []
  let stagingBytes = 0
  const stage = async (chunk: Buffer, force = false) => {
    staging.push(chunk)
    stagingBytes += chunk.length
    if (stagingBytes >= STAGED_CHUNK_BYTES || (force && stagingBytes > 0)) {
      await appendChunk(db, importId!, seq++, Buffer.concat(staging))
      staging = []
      stagingBytes = 0
    }
  }
  const startStaging = async () => {
    importId = newId()
    await insertImport(db, accountId, importId, options, context.actor)
    for (const chunk of held.splice(0)) await stage(chunk)
  }

  try {
    let headerChecked = false
    for await (const chunk of source) {
      bytes += chunk.length
      if (bytes > limits.maxBytes) throw new ApiError('IMP-008', `The file is larger than ${limits.maxBytes} bytes`)
      checker.write(chunk)
      if (!headerChecked && header) {
        check()
        headerChecked = true
      }
      if (fault) check()
      if (importId) await stage(chunk)
      else {
        held.push(chunk)
        if (bytes > limits.syncMaxBytes) await startStaging()
      }
    }
    checker.end()
    await finished(checker).catch(() => {})
    check()
    if (!header)
      throw new ApiError('IMP-001', 'The file is empty; it needs a header row with at least Mobile and Country')

    if (!importId && rows <= limits.syncMaxRows) {
      const runId = newId()
      const tally = await importContacts(db, accountId, Readable.from(inSlices(held)), options, {
        actor: context.actor,
        runId,
        batchRows: limits.batchRows,
        maxRecordBytes: limits.maxRowBytes,
        keepContacts: true
      })
      return { tally, runId }
    }
    if (!importId) await startStaging()
    await stage(Buffer.alloc(0), true)
    const jobId = importId!
    await db.transaction().execute(async (tx) => {
      await markQueued(tx, accountId, jobId, bytes, rows)
      await enqueueContactsImport(tx, context.queue, {
        accountId,
        importId: jobId,
        requestId: context.requestId,
        ...(context.campaignId === undefined ? {} : { campaignId: context.campaignId })
      })
    })
    return { jobId }
  } catch (error) {
    checker.destroy()
    if (importId) await deleteImport(db, accountId, importId)
    throw error
  }
}
