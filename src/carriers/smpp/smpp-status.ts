import { carrierError } from '../carrier-errors.ts'
import type { SubmitResult } from '../carrier.ts'

// SMPP 3.4 command_status values the adapter tells apart.
export const ESME = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVBNDSTS: 0x04,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
  RMSGQFUL: 0x14,
  RINVDSTTON: 0x50,
  RINVDSTNPI: 0x51,
  RTHROTTLED: 0x58,
  RX_T_APPN: 0x64,
  RX_P_APPN: 0x65,
  RX_R_APPN: 0x66,
  RDELIVERYFAILURE: 0xfe,
  RPROHIBITED: 0x101
} as const

const names = new Map<number, string>(Object.entries(ESME).map(([name, value]) => [value, `ESME_${name}`]))

/** ESME_RTHROTTLED for 0x58; a hex number for a status the adapter does not name. */
export function statusName(status: number): string {
  return names.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`
}

/** The SMSC is busy: slow down and try the same submit later. */
export const isThrottle = (status: number) => status === ESME.RTHROTTLED || status === ESME.RMSGQFUL

/** A refused submit_sm as the pipeline sees it: a temporary condition is retried, the rest fails the message. */
export function refusal(status: number): Extract<SubmitResult, { ok: false }> {
  if (isThrottle(status)) return { ok: false, failure: 'retryable', error: carrierError('MSG-028') }
  switch (status) {
    case ESME.RSYSERR:
    case ESME.RX_T_APPN:
    case ESME.RINVBNDSTS:
      return { ok: false, failure: 'retryable', error: carrierError('MSG-033') }
    case ESME.RINVDSTADR:
    case ESME.RINVDSTTON:
    case ESME.RINVDSTNPI:
      return { ok: false, failure: 'permanent', error: carrierError('MSG-018') }
    case ESME.RPROHIBITED:
      return { ok: false, failure: 'permanent', error: carrierError('MSG-009') }
    case ESME.RDELIVERYFAILURE:
      return { ok: false, failure: 'permanent', error: carrierError('MSG-019') }
    case ESME.RINVSRCADR:
    case ESME.RINVMSGLEN:
    case ESME.RX_P_APPN:
    case ESME.RX_R_APPN:
      return { ok: false, failure: 'permanent', error: carrierError('MSG-023') }
    default:
      return { ok: false, failure: 'permanent', error: carrierError('MSG-025') }
  }
}
