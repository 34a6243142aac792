import type { Db } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { compareExternalIds } from '../../lib/external-ids.ts'
import { newId } from '../../shared/ids.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { Refusal } from '../../errors/refusal.ts'
import { parseMobile } from '../contacts/contact-values.ts'
import { findContacts, upsertContacts, type ContactInput } from '../contacts/contacts.repository.ts'
import { toContact } from '../contacts/contacts.mapper.ts'
import { recordEvents } from '../events/events.repository.ts'
import { linkRecords, lockIntegration, numberOwners } from './integrations.repository.ts'
import type { SyncRecordShape, SyncResultShape } from './integrations.schemas.ts'

interface ParsedRecord {
  externalId: string
  input: ContactInput
}

/**
 * The rule of docs/api/integrations.md: each number is synced with one record, the one of lowest
 * id among those that carry it; the others are reported and not linked. Once a number is synced its record keeps it, so a later
 * batch updates that contact from that record only, and a record of lower id arriving later is reported.
 */
export async function syncContacts(
  db: Db,
  accountId: string,
  integration: string,
  records: readonly SyncRecordShape[],
  actor: ActorShape
): Promise<SyncResultShape> {
  const result: SyncResultShape = { submitted: records.length, linked: [], notLinked: [], errors: [] }
  const byNumber = new Map<string, ParsedRecord[]>()
  // One record id twice in a batch is ambiguous, and would make linkRecords update one link twice (a 500).
  const seen = new Set<string>()
  for (const [index, record] of records.entries()) {
    const externalId = String(record.id)
    if (seen.has(externalId))
      throw new ApiError('REQ-001', `records[${index}].id ${externalId} appears earlier in this batch`)
    seen.add(externalId)
    const mobile = parseMobile(record.phone, record.country)
    if (mobile instanceof Refusal) {
      result.errors.push({ externalId, error: { code: mobile.code, description: mobile.message } })
      continue
    }
    const input = { ...mobile, firstName: record.firstName, lastName: record.lastName, email: record.email }
    byNumber.set(mobile.mobile, [...(byNumber.get(mobile.mobile) ?? []), { externalId, input }])
  }
  if (byNumber.size === 0) return result

  return await db.transaction().execute(async (tx) => {
    await lockIntegration(tx, accountId, integration)
    const owners = new Map(
      (await numberOwners(tx, accountId, integration, [...byNumber.keys()])).map((owner) => [owner.mobile, owner])
    )
    const winners: ParsedRecord[] = []
    for (const [mobile, candidates] of byNumber) {
      candidates.sort((a, b) => compareExternalIds(a.externalId, b.externalId))
      const linkedId = owners.get(mobile)?.linkedExternalId
      const winner = linkedId ? candidates.find((candidate) => candidate.externalId === linkedId) : candidates[0]
      const keeper = winner?.externalId ?? linkedId!
      if (winner) winners.push(winner)
      for (const loser of candidates.filter((candidate) => candidate !== winner)) {
        result.notLinked.push({
          externalId: loser.externalId,
          mobile,
          linkedTo: keeper,
          error: { code: 'INT-003', description: `${mobile} is synced with ${integration} record ${keeper}` }
        })
      }
    }
    if (winners.length === 0) return result

    // Row locks in number order, as import batches take them, so a sync and an import cannot deadlock.
    winners.sort((a, b) => (a.input.mobile < b.input.mobile ? -1 : a.input.mobile > b.input.mobile ? 1 : 0))
    const written = await upsertContacts(
      tx,
      accountId,
      winners.map((winner) => ({ ...winner.input, id: newId() })),
      'append',
      actor
    )
    const contactIds = new Map(written.map((row) => [row.mobile, row]))
    await linkRecords(
      tx,
      accountId,
      integration,
      winners.map((winner) => ({ externalId: winner.externalId, contactId: contactIds.get(winner.input.mobile)!.id }))
    )
    // Read back after linking, so the events show the link.
    const views = await findContacts(
      tx,
      accountId,
      written.map((row) => row.id)
    )
    await recordEvents(
      tx,
      accountId,
      views.map((view) => ({
        type: contactIds.get(view.mobile)!.inserted ? 'contact-created' : 'contact-updated',
        payload: toContact(view)
      }))
    )
    for (const winner of winners) {
      const row = contactIds.get(winner.input.mobile)!
      result.linked.push({
        externalId: winner.externalId,
        contactId: row.id,
        mobile: row.mobile,
        created: row.inserted
      })
    }
    return result
  })
}
