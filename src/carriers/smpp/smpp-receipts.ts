import { carrierError } from '../carrier-errors.ts'
import type { CarrierError, ReportedStatus, StatusReport } from '../carrier.ts'

// Delivery receipts: reading one, and matching it to the message it reports on.

export interface Receipt {
  id: string
  status: Exclude<ReportedStatus, 'sent'>
  error?: CarrierError
  /** The receipt's destination: the sender of the message it reports on, whose account it is matched in. */
  sender?: string
}

type Final = Omit<Receipt, 'id'>

// The stat: values of the de-facto receipt text (SMPP 3.4 appendix B) and the message_state TLV.
const byStat: Record<string, Final> = {
  DELIVRD: { status: 'delivered' },
  UNDELIV: { status: 'undelivered', error: carrierError('MSG-019') },
  EXPIRED: { status: 'undelivered', error: carrierError('MSG-026') },
  UNKNOWN: { status: 'undelivered', error: carrierError('MSG-025') },
  REJECTD: { status: 'failed', error: carrierError('MSG-023') },
  DELETED: { status: 'failed', error: carrierError('MSG-025') }
}
const byState = ['', '', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', '', 'UNKNOWN', 'REJECTD']
/** Intermediate states (ENROUTE, ACCEPTD, SKIPPED…) say nothing final and are acknowledged only. */
const INTERMEDIATE = /^(ENROUTE|ACCEPTD|SCHEDULED|SKIPPED)$/

/**
 * The receipt a deliver_sm carries: the receipt esm_class (bits 2-5) or a receipted_message_id TLV.
 * The id is the TLV's if present, else the text's `id:`; the outcome the text's `stat:`, else the
 * message_state TLV. Undefined for a deliver_sm that is not a receipt; null for one that reports
 * nothing final.
 */
export function receiptOf(fields: Record<string, unknown>, text: string): Receipt | null | undefined {
  const esmClass = Number(fields.esm_class ?? 0)
  const tlvId = typeof fields.receipted_message_id === 'string' ? fields.receipted_message_id : undefined
  if ((esmClass & 0x3c) === 0 && tlvId === undefined) return undefined
  const id = tlvId || /\bid:(\S+)/i.exec(text)?.[1]
  const stat =
    /\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase() ??
    (typeof fields.message_state === 'number' ? byState[fields.message_state] : undefined)
  if (!id || !stat || INTERMEDIATE.test(stat)) return null
  return { id, ...(byStat[stat] ?? { status: 'undelivered', error: carrierError('MSG-025') }) }
}

const HEX = /^[0-9a-f]{1,32}$/i
const DECIMAL = /^\d{1,38}$/

/** A message id as compared: case and leading zeros do not count. */
export const normalId = (id: string) => id.toLowerCase().replace(/^0+(?=.)/, '')

/**
 * How an SMSC writes the id of a receipt against the `message_id` of its submit_sm_resp: the same,
 * or the same number in the other base (hex ids answered, decimal receipts, or the reverse).
 */
export type IdConvention = 'same' | 'decimal-receipts' | 'hex-receipts'
export const ID_CONVENTIONS: readonly IdConvention[] = ['same', 'decimal-receipts', 'hex-receipts']

/** The submit id a receipt id stands for under a convention, normalised; undefined if it cannot. */
export function submitIdOf(receiptId: string, convention: IdConvention): string | undefined {
  if (convention === 'same') return normalId(receiptId)
  if (convention === 'decimal-receipts') return DECIMAL.test(receiptId) ? BigInt(receiptId).toString(16) : undefined
  return HEX.test(receiptId) ? BigInt(`0x${receiptId}`).toString(10) : undefined
}

/** The report a message gets from its parts' receipts: the first part not delivered, or all delivered. */
export function messageReport(
  carrierMessageId: string,
  finals: ReadonlyArray<Final | undefined>,
  parts: number
): StatusReport | undefined {
  const failed = finals.find((final) => final && final.status !== 'delivered')
  if (failed) return { carrierMessageId, ...failed }
  if (finals.filter(Boolean).length === parts) return { carrierMessageId, status: 'delivered' }
  return undefined
}
