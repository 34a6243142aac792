import { getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js/max'
import type { CarrierRegistry } from '../../carriers/registry.ts'
import type { DbOrTx, Tx } from '../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { isUniqueViolation } from '../../db/errors.ts'
import { ApiError } from '../../errors/api-error.ts'
import { newId } from '../../shared/ids.ts'
import { parsePhone } from '../../shared/phone.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { recordEvent } from '../events/events.repository.ts'
import { lockDefaultGroup } from '../groups/groups.repository.ts'
import { queueMail } from '../mail/mail.service.ts'
import { listAdministrators } from '../users/users.repository.ts'
import {
  countLiveSenders,
  findSender,
  findSenderDetails,
  insertSender,
  updateSender,
  type SenderChanges
} from './senders.repository.ts'
import type { SenderDetailsRow } from './senders.table.ts'
import type { SenderRequestShape } from './senders.schemas.ts'
import { toSender } from './senders.mapper.ts'
import type { SenderType } from '../../shared/sender-types.ts'
import { requireNumberAllowed } from './sender-numbers.ts'

interface SenderAddress {
  number: string
  country: string | null
  diallingCode: string
}

// Short codes and alphanumeric sender ids are not phone numbers; their dialling code is their country's.
const nonE164Formats: Partial<Record<SenderType, { pattern: RegExp; rule: string }>> = {
  shortcode: { pattern: /^[0-9]{3,8}$/, rule: '3 to 8 digits' },
  alphanumeric: {
    pattern: /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/,
    rule: 'up to 11 letters, digits or spaces, with at least one letter'
  }
}

function senderAddress(number: string, country: string | undefined, type: SenderType): SenderAddress {
  const format = nonE164Formats[type]
  if (!format) {
    const parsed = parsePhone(number, country)
    if (!parsed)
      throw new ApiError(
        'SNDR-004',
        `number ${number} is not a possible phone number${country ? ` in ${country}` : ''}`
      )
    return { number: parsed.e164, country: parsed.country ?? null, diallingCode: parsed.diallingCode }
  }
  if (!format.pattern.test(number)) throw new ApiError('SNDR-004', `number of a ${type} sender must be ${format.rule}`)
  const region = country?.toUpperCase()
  if (!region || !isSupportedCountry(region)) throw new ApiError('SNDR-004', `country is required for a ${type} sender`)
  return { number, country: region, diallingCode: `+${getCountryCallingCode(region)}` }
}

/** A sender names its carrier: one the installation has (the sandbox, or one in PARLEY_CARRIERS). */
function requireCarrier(carriers: CarrierRegistry, name: string | undefined): void {
  if (name !== undefined && !carriers.names().includes(name))
    throw new ApiError(
      'SNDR-005',
      `carrier ${name} is not configured; configured carriers: ${carriers.names().join(', ')}`
    )
}

export async function createSender(
  { db, carriers, config }: Pick<Deps, 'db' | 'carriers' | 'config'>,
  accountId: string,
  request: SenderRequestShape,
  actor: ActorShape
): Promise<SenderDetailsRow> {
  requireCarrier(carriers, request.carrier)
  const address = senderAddress(request.number, request.country, request.type)
  // Before the number's uniqueness, so an account learns nothing of numbers it may not use.
  await requireNumberAllowed({ db, config }, request.carrier, accountId, address.number)
  try {
    return await db.transaction().execute(async (tx) => {
      const defaultGroup = await lockDefaultGroup(tx, accountId)
      // The account's first sender joins My First Group, which then holds no sender of any dialling
      // code yet. The lock on that group makes two "first" senders created together take turns.
      const joinsDefault = defaultGroup !== undefined && (await countLiveSenders(tx, accountId)) === 0
      const id = newId()
      await insertSender(
        tx,
        accountId,
        {
          id,
          ...address,
          type: request.type,
          capabilities: request.capabilities,
          carrier: request.carrier,
          throughput: request.throughput ?? null,
          status: request.status,
          groupId: joinsDefault ? defaultGroup.id : null
        },
        actor
      )
      return await requireSenderDetails(tx, accountId, id)
    })
  } catch (error) {
    if (isUniqueViolation(error, 'senders_number_key'))
      throw new ApiError('SNDR-002', `${address.number} is already a sender`)
    throw error
  }
}

async function requireSenderDetails(db: DbOrTx, accountId: string, senderId: string): Promise<SenderDetailsRow> {
  const sender = await findSenderDetails(db, accountId, senderId, undefined)
  if (!sender) throw new ApiError('SNDR-001')
  return sender
}

/**
 * A sender whose carrier registration completes (it becomes active) is news for every Administrator
 * of the account, by mail as well as by event: until then its group stayed hidden from other users.
 */
async function mailRegistrationCompleted(
  tx: Tx,
  deps: Pick<Deps, 'queue' | 'config'>,
  accountId: string,
  sender: SenderDetailsRow
): Promise<void> {
  for (const administrator of await listAdministrators(tx, accountId)) {
    await queueMail(tx, deps, {
      accountId,
      to: administrator.email,
      kind: 'sender-registered',
      data: {
        recipientName: `${administrator.first_name} ${administrator.last_name}`.trim() || administrator.email,
        senderNumber: sender.number,
        groupName: sender.group_id === null ? null : (sender.group_name ?? '')
      }
    })
  }
}

/**
 * A sender may move to a carrier, or become active on its own, only with a number the installation
 * lets its account use there (SNDR-006): the allow-list may have changed since the sender was added.
 */
export async function changeSender(
  { db, carriers, queue, config }: Pick<Deps, 'db' | 'carriers' | 'queue' | 'config'>,
  accountId: string,
  senderId: string,
  changes: SenderChanges,
  actor: ActorShape
): Promise<SenderDetailsRow> {
  if (changes.type !== undefined || changes.carrier !== undefined || changes.status === 'active') {
    const sender = await findSender(db, accountId, senderId)
    if (!sender) throw new ApiError('SNDR-001')
    requireCarrier(carriers, changes.carrier)
    // The number must still read as a sender of the new type.
    if (changes.type !== undefined) senderAddress(sender.number, sender.country ?? undefined, changes.type)
    if (changes.carrier !== undefined || changes.status === 'active')
      await requireNumberAllowed({ db, config }, changes.carrier ?? sender.carrier, accountId, sender.number)
  }
  return await db.transaction().execute(async (tx) => {
    const before = changes.status === undefined ? undefined : await findSender(tx, accountId, senderId)
    if (!(await updateSender(tx, accountId, senderId, changes, actor))) throw new ApiError('SNDR-001')
    const sender = await requireSenderDetails(tx, accountId, senderId)
    // Registration completing (or being rejected) is news for the account's Administrators and webhooks.
    if (before && before.status !== sender.status) {
      await recordEvent(tx, accountId, 'sender-status-changed', {
        ...toSender(sender),
        previousStatus: before.status
      })
      if (sender.status === 'active') await mailRegistrationCompleted(tx, { queue, config }, accountId, sender)
    }
    return sender
  })
}
