import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max'

export interface ParsedPhone {
  /** E.164, e.g. +14155550123: the stored and displayed form. */
  e164: string
  /** ISO 3166 alpha-2 country, from the number when it tells, else the one given. */
  country: string | undefined
  /** International dialling code with its plus, e.g. +1 or +44. */
  diallingCode: string
}

const COUNTRY = /^[A-Za-z]{2}$/

/**
 * Parses a number as written by a person or a spreadsheet, in the context of an ISO country.
 * The rule is "possible" (right length for the country), not "valid" (allocated range): carriers
 * open ranges faster than libphonenumber's metadata follows, and Sakari's own examples use
 * unallocated numbers such as 123-456-7890. A "+" before a national number (Sakari's example
 * "+1234567890" with country US) is read as that national number when the international reading
 * is impossible.
 */
export function parsePhone(number: string, country?: string): ParsedPhone | undefined {
  const region = country && COUNTRY.test(country) ? (country.toUpperCase() as CountryCode) : undefined
  const attempts = [number]
  if (region && number.trim().startsWith('+')) attempts.push(number.trim().slice(1))
  for (const attempt of attempts) {
    const parsed = parsePhoneNumberFromString(attempt, region)
    if (parsed?.isPossible()) {
      return { e164: parsed.number, country: parsed.country ?? region, diallingCode: `+${parsed.countryCallingCode}` }
    }
  }
  return undefined
}

export interface NumberReadings {
  /** The E.164 of an international reading, whatever the country. */
  international: string | undefined
  /** The E.164 a create would store with each country, where it differs from the international one. */
  byCountry: { country: string; e164: string }[]
}

/**
 * Every way parsePhone (the rule of a create) can read a number the user typed, so a search with
 * the number as it was sent finds the contact stored from it: Sakari's "+1234567890" with country
 * US is stored as +11234567890 (test/resources/contacts.test.ts). About 250 parses, a few ms.
 */
export function numberReadings(number: string): NumberReadings {
  const international = parsePhone(number)?.e164
  if (international !== undefined && number.trim().startsWith('+')) return { international, byCountry: [] }
  const byCountry = getCountries().flatMap((country) => {
    const e164 = parsePhone(number, country)?.e164
    return e164 === undefined || e164 === international ? [] : [{ country, e164 }]
  })
  return { international, byCountry }
}
