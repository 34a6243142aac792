import type { Tx } from '../../db/database.ts'
import { newId } from '../../shared/ids.ts'
import { parsePhone } from '../../shared/phone.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { insertSender, lockedSenderNumbersLike } from './senders.repository.ts'

// NANP reserves 555-0100 to 555-0199 in every area code for fiction, so these numbers never reach a
// real phone. 415 comes first, so a fresh installation's first account sends from +14155550100 as
// the README's examples show; the other area codes give room for 80,000 accounts.
const FIRST_AREA_CODE = 415
const FICTIONAL_PATTERN = '+1___55501__'

function* fictionalNumbers(): Generator<string> {
  const areaCodes = [FIRST_AREA_CODE]
  for (let code = 200; code <= 999; code++) if (code !== FIRST_AREA_CODE) areaCodes.push(code)
  for (const areaCode of areaCodes)
    for (let line = 100; line <= 199; line++) yield `+1${areaCode}5550${String(line).padStart(3, '0')}`
}

/** The first fictional number no live sender of the installation holds. */
async function freeFictionalNumber(tx: Tx): Promise<string> {
  const taken = await lockedSenderNumbersLike(tx, FICTIONAL_PATTERN)
  for (const number of fictionalNumbers()) if (!taken.has(number)) return number
  throw new Error('Every fictional sender number is taken; set PARLEY_DEMO_SENDER=false')
}

/**
 * An active sender on the sandbox carrier in the account's default group, so Sakari's send example
 * works as the first call after the token (README "Quick start"). `number` (E.164) overrides the
 * allocated fictional one; a number already taken fails with the unique violation of
 * senders_number_key. Answers the number.
 */
export async function insertDemoSender(
  tx: Tx,
  accountId: string,
  groupId: string,
  actor: ActorShape,
  number?: string
): Promise<string> {
  const parsed = parsePhone(number ?? (await freeFictionalNumber(tx)))
  if (!parsed) throw new Error(`${number} is not a possible phone number`)
  await insertSender(
    tx,
    accountId,
    {
      id: newId(),
      number: parsed.e164,
      country: parsed.country ?? null,
      diallingCode: parsed.diallingCode,
      type: 'local',
      capabilities: ['SMS'],
      carrier: 'sandbox',
      throughput: null,
      status: 'active',
      groupId
    },
    actor
  )
  return parsed.e164
}
