import fp from 'fastify-plugin'
import type { CarrierAdapter } from '../carriers/carrier.ts'
import { createCarrierRegistry, type CarrierRegistry } from '../carriers/registry.ts'

declare module 'fastify' {
  interface FastifyInstance {
    carriers: CarrierRegistry
  }
}

/** Decorates the app with the carrier adapters by name; closes their connections before the database. */
export const carriersPlugin = fp<{ sandboxDeliveryDelayMs: number; configured?: CarrierAdapter[] }>(
  async (app, options) => {
    const registry = createCarrierRegistry(
      { db: app.db, sandboxDeliveryDelayMs: options.sandboxDeliveryDelayMs },
      options.configured
    )
    app.decorate('carriers', registry)
    app.addHook('onClose', async () => {
      await registry.close()
    })
  },
  { name: 'carriers', dependencies: ['database'] }
)
