import { Type, type Static } from 'typebox'
import { nullable } from '../../lib/nullable-schema.ts'
import { ref, Updated } from '../../shared/schemas.ts'
import { GroupSummary } from '../groups/groups.schemas.ts'
import { SENDER_TYPES } from '../../shared/sender-types.ts'
import { CAPABILITIES, SENDER_STATUSES } from './senders.table.ts'

const SenderType = Type.Enum(SENDER_TYPES, {
  description: 'local and tollfree numbers are E.164; shortcode and alphanumeric senders need a country'
})
const SenderStatus = Type.Enum(SENDER_STATUSES, {
  description: 'Registration state: unverified, verified, pending, active, rejected. Only active senders send.'
})
const Capabilities = Type.Array(Type.Enum(CAPABILITIES), { minItems: 1, uniqueItems: true })
const Carrier = Type.String({
  pattern: '^[a-z][a-z0-9_-]{0,39}$',
  description: 'Name of the carrier adapter that sends for this sender'
})
const Throughput = nullable(
  Type.Number({ minimum: 0.01, maximum: 10000, description: 'Messages per second; null for uncapped' })
)

export const Sender = Type.Object(
  {
    id: Type.String(),
    number: Type.String({ description: 'E.164 for local and tollfree numbers; the short code or sender id otherwise' }),
    country: Type.Union([Type.String(), Type.Null()], { description: 'ISO 3166 alpha-2' }),
    diallingCode: Type.String({ description: 'International dialling code, e.g. +1' }),
    type: SenderType,
    capabilities: Capabilities,
    carrier: Type.String(),
    throughput: Throughput,
    status: SenderStatus,
    group: Type.Union([ref(GroupSummary), Type.Null()]),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Sender' }
)

export const SenderRequest = Type.Object({
  number: Type.String({ minLength: 1, maxLength: 32, examples: ['+12345678901'] }),
  country: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z]{2}$',
      description: 'Needed for a national number, a short code or an alphanumeric sender'
    })
  ),
  type: Type.Enum(SENDER_TYPES, { default: 'local' }),
  capabilities: Type.Array(Type.Enum(CAPABILITIES), { minItems: 1, uniqueItems: true, default: ['SMS'] }),
  carrier: Type.String({ ...Carrier, default: 'sandbox' }),
  throughput: Type.Optional(Throughput),
  status: Type.Enum(SENDER_STATUSES, {
    default: 'unverified',
    description: 'Usually left unverified and moved on with PUT …/status as registration progresses'
  })
})

/** Absent fields stay as they are. The number is the sender's identity: delete and add to change it. */
export const SenderUpdate = Type.Object({
  type: Type.Optional(SenderType),
  capabilities: Type.Optional(Capabilities),
  carrier: Type.Optional(Carrier),
  throughput: Type.Optional(Throughput)
})

export const SenderStatusRequest = Type.Object({ status: SenderStatus })

export const SenderParams = Type.Object({
  accountId: Type.String(),
  senderId: Type.String()
})

export type SenderRequestShape = Static<typeof SenderRequest>
export type SenderShape = Static<typeof Sender>
