import { readFileSync } from 'node:fs'
import type { Static, TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { SANDBOX } from './sandbox/sandbox-carrier.ts'
import { SmppSettings } from './smpp/smpp.settings.ts'
import { TwilioSettings } from './twilio/twilio.settings.ts'

// PARLEY_CARRIERS (or the file PARLEY_CARRIERS_FILE names): carrier name → settings with a `type`
// (docs/carriers/overview.md). Problems are reported one line each, naming the carrier and the setting but
// never a value, as values hold passwords and tokens.

const schemas = { smpp: SmppSettings, twilio: TwilioSettings } satisfies Record<string, TSchema>

export type CarrierType = keyof typeof schemas
export type CarrierSettings = { [K in CarrierType]: Static<(typeof schemas)[K]> }[CarrierType]

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/

export interface CarrierSource {
  PARLEY_CARRIERS?: string
  PARLEY_CARRIERS_FILE?: string
  publicUrl?: string
}

/** The configured carriers by name, or the problems found (one line each). */
export function readCarrierSettings(source: CarrierSource): {
  carriers: Record<string, CarrierSettings>
  problems: string[]
} {
  const { text, variable, problem } = carriersText(source)
  if (problem) return { carriers: {}, problems: [problem] }
  if (text === undefined) return { carriers: {}, problems: [] }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // JSON.parse's own message quotes the text around the mistake, which may be a secret.
    return { carriers: {}, problems: [`${variable}: is not valid JSON`] }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { carriers: {}, problems: [`${variable}: must be a JSON object of carrier name → settings`] }
  const carriers: Record<string, CarrierSettings> = {}
  const problems: string[] = []
  for (const [name, settings] of Object.entries(parsed)) {
    const found = settingsProblems(name, settings, source.publicUrl)
    if (found.length > 0) problems.push(...found.map((line) => `${variable}: carrier "${name}": ${line}`))
    else carriers[name] = settings as CarrierSettings
  }
  return { carriers, problems }
}

function carriersText(source: CarrierSource): { text?: string; variable: string; problem?: string } {
  if (source.PARLEY_CARRIERS !== undefined && source.PARLEY_CARRIERS_FILE !== undefined)
    return { variable: 'PARLEY_CARRIERS', problem: 'PARLEY_CARRIERS and PARLEY_CARRIERS_FILE: set one, not both' }
  if (source.PARLEY_CARRIERS !== undefined) return { text: source.PARLEY_CARRIERS, variable: 'PARLEY_CARRIERS' }
  if (source.PARLEY_CARRIERS_FILE === undefined) return { variable: 'PARLEY_CARRIERS' }
  try {
    return { text: readFileSync(source.PARLEY_CARRIERS_FILE, 'utf8'), variable: 'PARLEY_CARRIERS_FILE' }
  } catch (error) {
    return {
      variable: 'PARLEY_CARRIERS_FILE',
      problem: `PARLEY_CARRIERS_FILE: cannot read ${source.PARLEY_CARRIERS_FILE} (${(error as NodeJS.ErrnoException).code})`
    }
  }
}

function settingsProblems(name: string, settings: unknown, publicUrl: string | undefined): string[] {
  if (name === SANDBOX) return [`the name "${SANDBOX}" is the built-in sandbox's`]
  if (!NAME.test(name)) return ['a name is lowercase letters, digits, "-" and "_", at most 63 characters']
  const type = (settings as { type?: unknown } | null)?.type
  if (typeof type !== 'string' || !(type in schemas))
    return [`"type" must be one of ${Object.keys(schemas).join(', ')}`]
  const schema = schemas[type as CarrierType]
  const lines = [...Value.Errors(schema, settings)].flatMap((error) => {
    if (error.keyword === 'boolean') return []
    const where = error.instancePath === '' ? '' : `${error.instancePath.slice(1).replaceAll('/', '.')}: `
    const names = (error.params as { additionalProperties?: string[] }).additionalProperties
    return [`${where}${error.message}${names ? ` (${names.join(', ')})` : ''}`]
  })
  if (type === 'twilio' && publicUrl === undefined)
    lines.push('needs PARLEY_PUBLIC_URL, the address at which Twilio reaches its callbacks')
  return lines
}
