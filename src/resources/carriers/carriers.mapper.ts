import type { CarrierAdapter } from '../../carriers/carrier.ts'
import type { CarrierInfo } from './carriers.schemas.ts'

/** Name, type and health only: an adapter's settings (passwords, tokens) are never part of it. */
export function toCarrierInfo(adapter: CarrierAdapter): CarrierInfo {
  const health = adapter.health?.()
  return {
    name: adapter.name,
    type: adapter.type ?? adapter.name,
    health: health
      ? {
          state: health.state,
          since: health.since.toISOString(),
          lastError: health.lastError
            ? { message: health.lastError.message, at: health.lastError.at.toISOString() }
            : null
        }
      : { state: 'ready', since: null, lastError: null }
  }
}
