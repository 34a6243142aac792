import type { Db } from '../db/database.ts'
import type { CarrierAdapter } from './carrier.ts'
import { createSandboxCarrier, SANDBOX } from './sandbox/sandbox-carrier.ts'

/** The carrier of a sender that names none. */
export const DEFAULT_CARRIER = SANDBOX

export interface CarrierRegistry {
  /** The adapter of that name; throws for an unknown one, as a sender naming it is misconfigured. */
  get: (name: string) => CarrierAdapter
  names: () => string[]
  close: () => Promise<void>
}

export interface CarrierOptions {
  db: Db
  sandboxDeliveryDelayMs: number
}

/** The built-in sandbox plus the configured adapters, by name. */
export function createCarrierRegistry(options: CarrierOptions, configured: CarrierAdapter[] = []): CarrierRegistry {
  const adapters = new Map<string, CarrierAdapter>()
  for (const adapter of [
    createSandboxCarrier({ db: options.db, deliveryDelayMs: options.sandboxDeliveryDelayMs }),
    ...configured
  ]) {
    if (adapters.has(adapter.name)) throw new Error(`Two carrier adapters are named "${adapter.name}"`)
    adapters.set(adapter.name, adapter)
  }
  return {
    get(name) {
      const adapter = adapters.get(name)
      if (!adapter) throw new Error(`Unknown carrier "${name}"; known carriers: ${[...adapters.keys()].join(', ')}`)
      return adapter
    },
    names: () => [...adapters.keys()],
    async close() {
      await Promise.all([...adapters.values()].map((adapter) => adapter.close?.()))
    }
  }
}
