import { Type, type Static } from 'typebox'
import type { CarrierAdapter } from '../../carriers/carrier.ts'

const CarrierError = Type.Object({
  message: Type.String(),
  at: Type.String({ format: 'date-time' })
})

export const CarrierInfo = Type.Object(
  {
    name: Type.String({ description: "The name a sender's `carrier` takes" }),
    type: Type.String({ description: 'sandbox, smpp or twilio' }),
    health: Type.Object({
      state: Type.String({
        description:
          'SMPP: bound, connecting, disconnected (also where this instance runs no workers) or closed; others: ready'
      }),
      since: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
        description: 'When the state began; null for carriers without a connection'
      }),
      lastError: Type.Union([CarrierError, Type.Null()])
    })
  },
  { $id: 'Carrier', description: 'A carrier a sender may use, without its settings' }
)

export type CarrierInfo = Static<typeof CarrierInfo>

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
