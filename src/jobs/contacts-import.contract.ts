import { Type, type Static } from 'typebox'
import type { Tx } from '../db/database.ts'
import { defineContract, type Queue } from '../db/job-queue.ts'

const ContactsImportPayload = Type.Object({
  accountId: Type.String(),
  importId: Type.String(),
  requestId: Type.Optional(Type.String()),
  /** A file-upload campaign that sends to the imported contacts once they are written. */
  campaignId: Type.Optional(Type.String())
})

/** Imports a CSV staged by a large upload (src/resources/contacts/contacts-upload.ts); run in ./contacts-import.ts. */
export const contactsImportContract = defineContract({ name: 'contacts-import', payload: ContactsImportPayload })

export async function enqueueContactsImport(
  tx: Tx,
  queue: Queue,
  payload: Static<typeof ContactsImportPayload>
): Promise<void> {
  await queue.enqueue(tx, contactsImportContract, payload)
}
