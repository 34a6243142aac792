import { errorCatalog, type MessageErrorCode } from '../errors/catalog.ts'
import type { CarrierError } from './carrier.ts'

/** A message's error in Sakari's shape, from the catalogue's per-message codes (src/errors/catalog.ts). */
export function carrierError(code: MessageErrorCode): CarrierError {
  return { code, description: errorCatalog[code].message }
}
