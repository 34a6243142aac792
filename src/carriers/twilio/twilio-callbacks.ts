import type { CarrierEvent, CarrierMedia, ReportedStatus } from '../carrier.ts'
import { twilioError } from './twilio-errors.ts'
import type { FormParams } from './twilio-signature.ts'

// Twilio's MessageStatus values that are a status Parley records; queued, accepted, sending and
// scheduled say nothing the message does not already show.
const reported: Record<string, ReportedStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed'
}

const first = (params: FormParams, name: string): string | undefined => params[name]?.[0]

function errorCodeOf(params: FormParams): number | undefined {
  const code = Number.parseInt(first(params, 'ErrorCode') ?? '', 10)
  return Number.isInteger(code) && code > 0 ? code : undefined
}

function statusEvents(params: FormParams, sid: string, status: string): CarrierEvent[] {
  const mapped = reported[status]
  if (!mapped) return []
  const error =
    mapped === 'undelivered'
      ? twilioError(errorCodeOf(params), 'MSG-019')
      : mapped === 'failed'
        ? twilioError(errorCodeOf(params), 'MSG-025')
        : undefined
  const sender = first(params, 'From')
  return [
    {
      kind: 'status',
      report: { carrierMessageId: sid, status: mapped, ...(error ? { error } : {}), ...(sender ? { sender } : {}) }
    }
  ]
}

function inboundEvents(params: FormParams, sid: string): CarrierEvent[] {
  const from = first(params, 'From')
  const to = first(params, 'To')
  if (!from || !to) return []
  const count = Math.min(Number.parseInt(first(params, 'NumMedia') ?? '0', 10) || 0, 10)
  const media: CarrierMedia[] = []
  for (let index = 0; index < count; index++) {
    const url = first(params, `MediaUrl${index}`)
    const type = first(params, `MediaContentType${index}`)
    if (url) media.push({ url, ...(type ? { type } : {}) })
  }
  const message = { from, to, text: first(params, 'Body') ?? '', media, carrierMessageId: sid, receivedAt: new Date() }
  return [{ kind: 'inbound', message }]
}

/**
 * A status callback (MessageStatus of a message Parley sent) or an incoming message webhook (no
 * MessageStatus, or `received`) as carrier events; anything else is no event.
 */
export function twilioEvents(params: FormParams): CarrierEvent[] {
  const sid = first(params, 'MessageSid') ?? first(params, 'SmsSid')
  if (!sid) return []
  const status = first(params, 'MessageStatus') ?? first(params, 'SmsStatus')
  if (status === undefined || status === 'received') return inboundEvents(params, sid)
  return statusEvents(params, sid, status)
}
