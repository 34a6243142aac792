import { Type, type Static } from 'typebox'
import { ref, Updated } from '../../shared/schemas.ts'
import { Contact, ContactError, MergeStrategyQuery } from './contacts.schemas.ts'

export const ContactUploadResult = Type.Object(
  {
    submitted: Type.Integer({ description: 'Data rows read' }),
    success: Type.Integer({ description: 'Rows inserted or updated' }),
    inserted: Type.Integer(),
    updated: Type.Integer(),
    contacts: Type.Array(ref(Contact), { description: 'The contacts written (synchronous uploads only)' }),
    errors: Type.Array(
      Type.Object({
        row: Type.Integer({ description: 'Line of the data row in the file; the header is row 1' }),
        mobile: Type.Optional(Type.Object({ number: Type.String(), country: Type.Optional(Type.String()) })),
        error: ref(ContactError)
      }),
      { description: 'Rows that were not written, with their reason (at most the first 1000)' }
    )
  },
  { $id: 'ContactUpload' }
)

export const ContactUploadResponse = Type.Object(
  { success: Type.Literal(true), data: ref(ContactUploadResult) },
  { $id: 'ContactUploadResponse' }
)

export const ContactImportQuery = Type.Object({
  mergeStrategy: MergeStrategyQuery,
  mapping: Type.Optional(
    Type.String({
      description:
        'CSV uploads: JSON object of column header → firstName, lastName, email, mobile, country, tags, assignedUser or attributes.<name>',
      examples: ['{"Phone":"mobile","Job":"attributes.jobTitle"}']
    })
  ),
  exclude: Type.Optional(Type.String({ description: 'CSV uploads: comma-separated column headers to ignore' }))
})

export const ImportAccepted = Type.Object({
  jobId: Type.String({ description: 'Poll GET /contacts/imports/{jobId}' }),
  status: Type.Literal('queued')
})

export const ContactImport = Type.Object(
  {
    jobId: Type.String(),
    status: Type.Enum(['receiving', 'queued', 'running', 'completed', 'failed']),
    total: Type.Integer({ description: 'Data rows in the file' }),
    submitted: Type.Integer({ description: 'Data rows processed so far' }),
    success: Type.Integer(),
    inserted: Type.Integer(),
    updated: Type.Integer(),
    failed: Type.Integer(),
    errors: ContactUploadResult.properties.errors,
    error: Type.Optional(Type.String({ description: 'Why the import failed as a whole' })),
    created: ref(Updated),
    startedAt: Type.Optional(Type.String({ format: 'date-time' })),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' }))
  },
  { $id: 'ContactImport' }
)

export type ContactUploadShape = Static<typeof ContactUploadResult>
export type ContactImportShape = Static<typeof ContactImport>
