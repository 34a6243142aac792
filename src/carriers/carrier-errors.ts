import { errorCatalog, type MessageErrorCode } from '../errors/catalog.ts'
import type { CarrierError } from './carrier.ts'

/** The per-message codes, and MSG-007 (too long), which is both an HTTP answer and a carrier's verdict. */
export type CarrierErrorCode = MessageErrorCode | 'MSG-007'

/** A message's error in Sakari's shape, from the catalogue's per-message codes (src/errors/catalog.ts). */
export function carrierError(code: CarrierErrorCode): CarrierError {
  return { code, description: errorCatalog[code].message }
}
