import { Type, type Static } from 'typebox'
import { CarrierAccounts } from '../carrier-numbers.ts'

/** One SMPP carrier in PARLEY_CARRIERS, as docs/carriers/smpp.md describes it. */
export const SmppSettings = Type.Object(
  {
    type: Type.Literal('smpp'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    systemId: Type.String({ minLength: 1, maxLength: 15 }),
    password: Type.String({ maxLength: 8 }),
    systemType: Type.Optional(Type.String({ maxLength: 12 })),
    bindMode: Type.Optional(Type.Enum(['transceiver', 'transmitter+receiver'])),
    /** Submits awaiting their submit_sm_resp at once. */
    windowSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** submit_sm PDUs per second, as agreed with the operator. */
    throughput: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    tls: Type.Optional(Type.Boolean()),
    concatenation: Type.Optional(Type.Enum(['udh', 'sar'])),
    /** Which accounts may use which numbers; none: the installation's first account, all of them. */
    accounts: Type.Optional(CarrierAccounts)
  },
  { additionalProperties: false }
)

export type SmppSettings = Static<typeof SmppSettings>
