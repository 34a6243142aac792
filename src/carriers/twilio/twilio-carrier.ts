import { request, type Dispatcher } from 'undici'
import { carrierError } from '../carrier-errors.ts'
import type { CarrierAdapter, CarrierCallback, Submission, SubmitResult } from '../carrier.ts'
import { twilioEvents } from './twilio-callbacks.ts'
import { QUEUE_FULL, twilioError } from './twilio-errors.ts'
import { TWILIO_API, type TwilioSettings } from './twilio.settings.ts'
import { formParams, validTwilioSignature } from './twilio-signature.ts'

export interface TwilioOptions {
  /** PARLEY_PUBLIC_URL: where Twilio reaches this carrier's callback routes. */
  publicUrl: string
  /** A send that has no answer by then throws: its outcome is unknown. */
  timeoutMs?: number
  dispatcher?: Dispatcher
}

const signatureOf = (callback: CarrierCallback): string | undefined => {
  const header = callback.headers['x-twilio-signature']
  return Array.isArray(header) ? header[0] : header
}

async function errorCodeOf(body: Dispatcher.ResponseData['body']): Promise<number | undefined> {
  try {
    const answer = (await body.json()) as { code?: unknown }
    return typeof answer.code === 'number' ? answer.code : undefined
  } catch {
    return undefined
  }
}

/**
 * Twilio's Messages API (docs/carriers/twilio.md). Twilio takes no idempotency key, so a send retried
 * after an unknown outcome can be a second SMS; docs/carriers/twilio.md says when that happens.
 */
export function createTwilioCarrier(name: string, settings: TwilioSettings, options: TwilioOptions): CarrierAdapter {
  const baseUrl = (settings.baseUrl ?? TWILIO_API).replace(/\/+$/, '')
  const messagesUrl = `${baseUrl}/2010-04-01/Accounts/${settings.accountSid}/Messages.json`
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`
  const statusCallback = `${options.publicUrl.replace(/\/+$/, '')}/carriers/${encodeURIComponent(name)}/status`
  const timeoutMs = options.timeoutMs ?? 30_000

  function form(submission: Submission): string {
    const params = new URLSearchParams({ To: submission.to, From: submission.from, Body: submission.text })
    // With a Messaging Service the sender still names the number: replies and status callbacks
    // then come back on the sender Parley knows.
    if (settings.messagingServiceSid) params.set('MessagingServiceSid', settings.messagingServiceSid)
    for (const media of submission.media) params.append('MediaUrl', media.url)
    params.set('StatusCallback', statusCallback)
    return params.toString()
  }

  async function send(submission: Submission): Promise<SubmitResult> {
    const response = await request(messagesUrl, {
      method: 'POST',
      headers: {
        authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json'
      },
      body: form(submission),
      signal: AbortSignal.timeout(timeoutMs),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {})
    })
    const { statusCode, body } = response
    if (statusCode >= 200 && statusCode < 300) {
      const answer = (await body.json()) as { sid?: unknown }
      if (typeof answer.sid !== 'string' || answer.sid === '')
        throw new Error(`Twilio answered ${statusCode} without a message sid`)
      return { ok: true, carrierMessageId: answer.sid, reports: [] }
    }
    if (statusCode === 429) {
      await body.dump()
      return { ok: false, failure: 'retryable', error: carrierError('MSG-028') }
    }
    if (statusCode >= 500) {
      await body.dump()
      return { ok: false, failure: 'retryable', error: carrierError('MSG-033') }
    }
    const code = await errorCodeOf(body)
    if (code === QUEUE_FULL) return { ok: false, failure: 'retryable', error: carrierError('MSG-028') }
    return { ok: false, failure: 'permanent', error: twilioError(code, 'MSG-025') }
  }

  return {
    name,
    send,
    verifySignature: (callback) =>
      validTwilioSignature(settings.authToken, callback.url, formParams(callback.rawBody), signatureOf(callback)),
    parseCallback: (callback) => twilioEvents(formParams(callback.rawBody))
  }
}
