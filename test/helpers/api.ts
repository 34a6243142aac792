import type { FastifyInstance } from 'fastify'
import type { TestAccount } from './fixtures.ts'

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/**
 * A call under the account's path, with the given headers (the account-wide credential's by default;
 * `{}` calls unauthenticated). An object payload is sent as JSON; a string or Buffer is sent as it is,
 * as JSON unless the headers name another content type. Answers the status, the parsed body and the headers.
 */
export function caller(app: FastifyInstance, account: Pick<TestAccount, 'accountId' | 'headers'>) {
  const call = async (
    method: Method,
    path: string,
    payload?: object | string | Buffer,
    headers: Record<string, string> = account.headers
  ) => {
    const raw = typeof payload === 'string' || Buffer.isBuffer(payload)
    const response = await app.inject({
      method,
      url: `/v1/accounts/${account.accountId}${path}`,
      headers: raw && !('content-type' in headers) ? { ...headers, 'content-type': 'application/json' } : headers,
      ...(payload === undefined ? {} : { payload })
    })
    return { status: response.statusCode, body: response.json(), headers: response.headers }
  }
  return Object.assign(call, { headers: account.headers })
}

type Answer = Awaited<ReturnType<ReturnType<typeof caller>>>

/** Answers `data` of a successful call (loosely typed, as response.json() is), or fails loudly. */
export async function created(call: Promise<Answer>): Promise<Answer['body']['data']> {
  const { status, body } = await call
  if (status !== 201 && status !== 200) throw new Error(`expected success, got ${status} ${JSON.stringify(body)}`)
  return body.data
}

let numbers = 0

/** A phone number no other test has used: sender numbers are unique across the whole installation. */
export function uniqueNumber(diallingCode: '+1' | '+44' = '+1'): string {
  numbers++
  return diallingCode === '+1'
    ? `+1202555${String(numbers % 10000).padStart(4, '0')}`
    : `+447700900${String(numbers % 1000).padStart(3, '0')}`
}
