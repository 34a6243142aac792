import smpp from 'smpp'
import { splitSegments } from '../../lib/segments.ts'
import type { Submission } from '../carrier.ts'

// How a submission becomes submit_sm PDUs, and how a deliver_sm's addresses and parts read back.

const TON = { unknown: 0, international: 1, alphanumeric: 5 } as const
const NPI = { unknown: 0, isdn: 1 } as const
const DATA_CODING = { 'GSM-7': 0, 'UCS-2': 8 } as const
const ESM_UDHI = 0x40
/** Final receipts, success or failure (registered_delivery bit 0). */
const RECEIPT_REQUESTED = 0x01

export type Concatenation = 'udh' | 'sar'

/** E.164 goes out international without its plus; letters as an alphanumeric sender; digits (a short code) as they are. */
export function address(value: string): { ton: number; npi: number; addr: string } {
  if (/^\+\d+$/.test(value)) return { ton: TON.international, npi: NPI.isdn, addr: value.slice(1) }
  if (/^\d+$/.test(value)) return { ton: TON.unknown, npi: NPI.isdn, addr: value }
  return { ton: TON.alphanumeric, npi: NPI.unknown, addr: value }
}

/** A received address as Parley stores it: digits become E.164, anything else stays as sent. */
export function inboundAddress(addr: string): string {
  return /^\d+$/.test(addr) ? `+${addr}` : addr
}

function encodePart(text: string, encoding: keyof typeof DATA_CODING): Buffer {
  // GSM-7 goes unpacked, one septet an octet, as SMPP carries data_coding 0; UCS-2 is UTF-16 big-endian.
  return encoding === 'GSM-7' ? smpp.gsmCoder.encode(text, 0) : Buffer.from(text, 'utf16le').swap16()
}

/**
 * The submit_sm parameters of each part, split where src/lib/segments.ts splits (so the parts
 * billed are the parts sent). `reference` identifies the concatenated message: the same on a retry,
 * so parts sent by an earlier attempt join the ones sent now.
 */
export function submitParts(
  submission: Submission,
  concatenation: Concatenation,
  reference: number,
  serviceType = ''
): Array<Record<string, unknown>> {
  const { encoding, parts } = splitSegments(submission.text)
  const source = address(submission.from)
  const destination = address(submission.to)
  return parts.map((text, index) => {
    const body = encodePart(text, encoding)
    const common = {
      service_type: serviceType,
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      source_addr: source.addr,
      dest_addr_ton: destination.ton,
      dest_addr_npi: destination.npi,
      destination_addr: destination.addr,
      registered_delivery: RECEIPT_REQUESTED,
      data_coding: DATA_CODING[encoding]
    }
    if (parts.length === 1) return { ...common, esm_class: 0, short_message: body }
    if (concatenation === 'sar')
      return {
        ...common,
        esm_class: 0,
        short_message: body,
        sar_msg_ref_num: reference & 0xffff,
        sar_total_segments: parts.length,
        sar_segment_seqnum: index + 1
      }
    // The 8-bit-reference concatenation header: IEI 0x00, length 3, reference, total, sequence.
    const header = Buffer.from([5, 0x00, 3, reference & 0xff, parts.length, index + 1])
    return { ...common, esm_class: ESM_UDHI, short_message: Buffer.concat([header, body]) }
  })
}

export interface PartOf {
  reference: number
  total: number
  sequence: number
}

/** Where a received part belongs: from the concatenation UDH (8- or 16-bit reference) or the sar_* TLVs. */
export function partOf(udh: Buffer[] | undefined, fields: Record<string, unknown>): PartOf | undefined {
  for (const element of udh ?? []) {
    if (element[0] === 0x00 && element.length >= 5)
      return { reference: element[2]!, total: element[3]!, sequence: element[4]! }
    if (element[0] === 0x08 && element.length >= 6)
      return { reference: element.readUInt16BE(2), total: element[4]!, sequence: element[5]! }
  }
  if (typeof fields.sar_msg_ref_num === 'number' && typeof fields.sar_total_segments === 'number')
    return {
      reference: fields.sar_msg_ref_num,
      total: fields.sar_total_segments,
      sequence: Number(fields.sar_segment_seqnum)
    }
  return undefined
}

/** The text and header of a deliver_sm, as the library decoded them by data_coding. */
export function messageOf(fields: Record<string, unknown>): { text: string; udh: Buffer[] | undefined } {
  const decoded = (fields.short_message ?? fields.message_payload) as { message?: unknown; udh?: Buffer[] } | undefined
  const payload = fields.message_payload as { message?: unknown } | undefined
  const message = decoded?.message === undefined || decoded.message === '' ? payload?.message : decoded.message
  const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('latin1') : ''
  return { text, udh: decoded?.udh }
}
