import { Type, type Static, type TOptional } from 'typebox'
import { Value } from 'typebox/value'
import { SENDER_TYPES, type SenderType } from '../shared/sender-types.ts'

/** Key of a sender type's rate for every destination country without a rate of its own. */
const ANY_COUNTRY = 'default'

/** Per-segment rates in USD of one sender type: by destination country (ISO alpha-2), and `default`. */
export interface CountryRates {
  [ANY_COUNTRY]: number
  [country: string]: number
}

export type PriceTable = Record<SenderType, CountryRates>

// List prices of the usual US aggregators in 2025, rounded; an operator sets their own with PARLEY_PRICES.
export const DEFAULT_PRICES: PriceTable = {
  local: { [ANY_COUNTRY]: 0.05, US: 0.0079, CA: 0.0079, GB: 0.04 },
  tollfree: { [ANY_COUNTRY]: 0.05, US: 0.0079, CA: 0.0079 },
  shortcode: { [ANY_COUNTRY]: 0.05, US: 0.0065, CA: 0.0065 },
  alphanumeric: { [ANY_COUNTRY]: 0.06, GB: 0.04 }
}

const Rates = Type.Record(Type.String({ pattern: `^([A-Z]{2}|${ANY_COUNTRY})$` }), Type.Number({ minimum: 0 }), {
  additionalProperties: false
})

const PriceOverrides = Type.Object(
  Object.fromEntries(SENDER_TYPES.map((type) => [type, Type.Optional(Rates)])) as Record<
    SenderType,
    TOptional<typeof Rates>
  >,
  { additionalProperties: false }
)

type PriceOverridesShape = Static<typeof PriceOverrides>

/**
 * The default table with the operator's rates laid over it, rate by rate: `{"local": {"US": 0.01}}`
 * changes one rate and keeps the others. Throws with every problem named when the JSON is invalid.
 */
export function pricesWithOverrides(json: string | undefined): PriceTable {
  if (json === undefined) return DEFAULT_PRICES
  let overrides: unknown
  try {
    overrides = JSON.parse(json)
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`)
  }
  if (!Value.Check(PriceOverrides, overrides)) {
    const problems = [...Value.Errors(PriceOverrides, overrides)]
      .filter((error) => error.keyword !== 'boolean') // the twin of each additionalProperties error
      .map((error) => {
        const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperties)})` : ''
        return `${error.instancePath || '/'} ${error.message}${extra}`
      })
    throw new Error(
      `${problems.join('; ')}; expected {"<${SENDER_TYPES.join('|')}>": {"<ISO country>|${ANY_COUNTRY}": <USD per segment>}}`
    )
  }
  const valid = overrides as PriceOverridesShape
  return Object.fromEntries(
    SENDER_TYPES.map((type) => [type, { ...DEFAULT_PRICES[type], ...valid[type] }])
  ) as PriceTable
}

/** The per-segment rate of a sender type to a destination country. */
export function rateFor(prices: PriceTable, senderType: SenderType, country: string | undefined): number {
  const rates = prices[senderType]
  return (country === undefined ? undefined : rates[country.toUpperCase()]) ?? rates[ANY_COUNTRY]
}

/** Segments × rate, rounded to a millionth of a dollar so sums of prices do not drift in binary floating point. */
export function priceOf(segments: number, rate: number): number {
  return Math.round(segments * rate * 1e6) / 1e6
}
