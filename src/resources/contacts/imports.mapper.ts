import { audit } from '../../shared/audit.ts'
import type { ImportTally } from './csv-import.ts'
import type { ContactImportRow } from './contacts.table.ts'
import type { ContactImportShape, ContactUploadShape } from './imports.schemas.ts'

export function toUploadResult(tally: ImportTally): ContactUploadShape {
  return {
    submitted: tally.submitted,
    success: tally.inserted + tally.updated,
    inserted: tally.inserted,
    updated: tally.updated,
    contacts: tally.contacts,
    errors: tally.errors
  }
}

export function toContactImport(row: ContactImportRow): ContactImportShape {
  return {
    jobId: row.id,
    status: row.status,
    total: row.total,
    submitted: row.submitted,
    success: row.inserted + row.updated,
    inserted: row.inserted,
    updated: row.updated,
    failed: row.failed,
    errors: row.errors as ContactUploadShape['errors'],
    ...(row.failure !== null ? { error: row.failure } : {}),
    created: audit(row.created_at, row.created_by),
    ...(row.started_at ? { startedAt: row.started_at.toISOString() } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at.toISOString() } : {})
  }
}
