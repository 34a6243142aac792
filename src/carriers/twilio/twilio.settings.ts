import { Type, type Static } from 'typebox'
import { CarrierAccounts } from '../carrier-numbers.ts'

/** One Twilio carrier in PARLEY_CARRIERS (docs/carriers/twilio.md). */
export const TwilioSettings = Type.Object(
  {
    type: Type.Literal('twilio'),
    accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$', description: 'The Twilio account (AC…)' }),
    authToken: Type.String({ minLength: 1, description: 'Secret: signs requests both ways; never logged' }),
    messagingServiceSid: Type.Optional(
      Type.String({ pattern: '^MG[0-9a-fA-F]{32}$', description: 'Sends through this Messaging Service (MG…)' })
    ),
    baseUrl: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'Another Twilio-compatible endpoint, e.g. a test server' })
    ),
    accounts: Type.Optional(CarrierAccounts)
  },
  { additionalProperties: false }
)

export type TwilioSettings = Static<typeof TwilioSettings>

export const TWILIO_API = 'https://api.twilio.com'
