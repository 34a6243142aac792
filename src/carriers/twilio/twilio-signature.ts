import { createHmac, timingSafeEqual } from 'node:crypto'

/** A form body's parameters by name; a repeated name keeps every value in order. */
export type FormParams = Record<string, string[]>

export function formParams(rawBody: string): FormParams {
  const params: FormParams = {}
  for (const [name, value] of new URLSearchParams(rawBody)) (params[name] ??= []).push(value)
  return params
}

/**
 * X-Twilio-Signature of a POST: HMAC-SHA1 keyed with the auth token over the full URL Twilio
 * called followed by every parameter as name then value, sorted by name (a repeated name's distinct
 * values sorted too, as Twilio's own libraries do), in base64.
 */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  const data = Object.keys(params)
    .sort()
    .map((name) =>
      [...new Set(params[name])]
        .sort()
        .map((value) => name + value)
        .join('')
    )
    .join('')
  return createHmac('sha1', authToken)
    .update(url + data, 'utf8')
    .digest('base64')
}

/** Whether `signature` is the one Twilio makes for this request; compared in constant time. */
export function validTwilioSignature(
  authToken: string,
  url: string,
  params: FormParams,
  signature: string | undefined
): boolean {
  if (!signature) return false
  const expected = Buffer.from(twilioSignature(authToken, url, params))
  const given = Buffer.from(signature)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
