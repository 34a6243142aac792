import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { CarrierAdapter } from './carrier.ts'
import { createSmppCarrier } from './smpp/smpp-carrier.ts'
import { createTwilioCarrier } from './twilio/twilio-carrier.ts'

/** The adapters PARLEY_CARRIERS names (checked by loadConfig). Connections open only at start (src/background-work.ts). */
export function createConfiguredCarriers(config: Readonly<Config>, log: Logger): CarrierAdapter[] {
  return Object.entries(config.carriers).map(([name, settings]): CarrierAdapter => {
    if (settings.type === 'twilio') {
      // loadConfig refuses a Twilio carrier without PARLEY_PUBLIC_URL.
      return { ...createTwilioCarrier(name, settings, { publicUrl: config.publicUrl! }), type: 'twilio' }
    }
    const adapter = createSmppCarrier(name, settings, {
      onHealth: (health) => log.info({ carrier: name, ...health }, 'SMPP link state')
    })
    return { ...adapter, type: 'smpp' }
  })
}
