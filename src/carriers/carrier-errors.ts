import type { CarrierError } from './carrier.ts'

// Sakari's per-message error codes (notes, part B §3). Adapters map their carrier's own codes to
// these, so a message's `error` means the same whatever carrier carried it.
const descriptions = {
  'MSG-007': 'Message too long',
  'MSG-008': 'Marked as spam by the carrier',
  'MSG-009': 'Prohibited by the carrier',
  'MSG-018': 'Could not be routed to the destination',
  'MSG-019': 'Undelivered: unreachable handset, landline or content blocked',
  'MSG-020': 'The number is a landline',
  'MSG-023': 'Rejected by the carrier',
  'MSG-025': 'Unknown carrier error',
  'MSG-026': 'Timed out',
  'MSG-028': 'Throttled; will be retried',
  'MSG-029': 'Sender exceeded its daily throughput limit',
  'MSG-033': 'Carrier service failure',
  'MSG-036': 'Toll-free messaging blocked'
} as const

export type CarrierErrorCode = keyof typeof descriptions

export function carrierError(code: CarrierErrorCode): CarrierError {
  return { code, description: descriptions[code] }
}
