import { Type, type Static } from 'typebox'

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
