import { carrierError, type CarrierErrorCode } from '../carrier-errors.ts'
import type { CarrierError } from '../carrier.ts'

// Twilio's error codes (both the API's answers to a send and the ErrorCode of a failed or
// undelivered status callback) mapped to Sakari's per-message codes; docs/carriers/twilio.md
// shows this table.
const sakariCodeOf: Record<number, CarrierErrorCode> = {
  20003: 'MSG-033', // authentication failed: the configured credentials are wrong
  21211: 'MSG-018', // invalid 'To' number
  21408: 'MSG-018', // sending to this region is not enabled on the Twilio account
  21606: 'MSG-023', // 'From' is not a message-capable number of this account
  21610: 'MSG-009', // the recipient replied STOP to this sender
  21612: 'MSG-018', // 'To' is not reachable from this sender
  21614: 'MSG-020', // 'To' is not a mobile number
  21617: 'MSG-007', // longer than 1,600 characters
  21620: 'MSG-023', // invalid media URL
  21635: 'MSG-020', // 'To' is a landline
  30002: 'MSG-023', // Twilio account suspended
  30003: 'MSG-019', // unreachable handset
  30004: 'MSG-009', // blocked by the recipient or their carrier
  30005: 'MSG-018', // unknown destination handset
  30006: 'MSG-020', // landline or unreachable carrier
  30007: 'MSG-008', // filtered as spam
  30008: 'MSG-025', // unknown error
  30009: 'MSG-019', // missing segment
  30010: 'MSG-023', // price above MaxPrice
  30011: 'MSG-018', // MMS not supported at the destination
  30017: 'MSG-033', // carrier network congestion
  30018: 'MSG-023', // sender id needs registration with the destination carrier
  30019: 'MSG-023', // content too large for the carrier
  30022: 'MSG-023', // US A2P 10DLC throughput exceeded (final: Twilio does not retry it)
  30023: 'MSG-029', // US A2P 10DLC daily cap reached
  30024: 'MSG-023', // numeric sender id not provisioned
  30032: 'MSG-036', // toll-free number not verified
  30034: 'MSG-023' // US A2P 10DLC: number not registered to a campaign
}

/** A Twilio error code as Sakari's; `fallback` when Twilio gave none or one not in the table. */
export function twilioError(code: number | undefined, fallback: CarrierErrorCode): CarrierError {
  return carrierError((code !== undefined && sakariCodeOf[code]) || fallback)
}

/** Twilio's "queue full" answer to a send: the same request succeeds later. */
export const QUEUE_FULL = 21611
