import type { DbOrTx } from '../db/database.ts'
import { parsePhone } from '../shared/phone.ts'
import type { SenderRow } from '../resources/senders/senders.table.ts'

/**
 * The live senders on this carrier with this number, in any account. The only lookup without an
 * account id: a carrier's callback names the number, and the number names the account.
 */
export async function findCarrierSenders(db: DbOrTx, carrier: string, number: string): Promise<SenderRow[]> {
  const e164 = parsePhone(number)?.e164
  return await db
    .selectFrom('senders')
    .selectAll()
    .where('carrier', '=', carrier)
    .where('deleted_at', 'is', null)
    .where('number', 'in', e164 ? [number, e164] : [number])
    .execute()
}
