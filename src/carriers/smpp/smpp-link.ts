import smpp, { type PDU, type Session } from 'smpp'
import { ESME, statusName } from './smpp-status.ts'

// One bound SMPP session (a transceiver, a transmitter or a receiver) that keeps itself bound:
// enquire_link keep-alive, reconnect with backoff after any loss, unbind on close.

export type LinkRole = 'transceiver' | 'transmitter' | 'receiver'
export type LinkState = 'connecting' | 'bound' | 'disconnected' | 'closed'

export interface LinkHealth {
  role: LinkRole
  state: LinkState
  since: Date
  lastError: { message: string; at: Date } | null
}

export interface LinkTiming {
  enquireLinkMs: number
  responseTimeoutMs: number
  reconnectMinMs: number
  reconnectMaxMs: number
}

export interface LinkOptions {
  role: LinkRole
  host: string
  port: number
  tls: boolean
  /** Bind credentials: sent in the bind PDU only, never logged or reported. */
  credentials: { systemId: string; password: string; systemType: string }
  timing: LinkTiming
  /** A deliver_sm from the SMSC; answers the command_status of its deliver_sm_resp. */
  onDeliver: (pdu: PDU) => Promise<number>
  onStateChange: (health: LinkHealth) => void
}

/** The PDU was never written: the SMSC cannot have acted on it. */
export class NotSentError extends Error {}
/** The PDU was written but no response came (lost connection, timeout): the SMSC may have acted on it. */
export class NoResponseError extends Error {}

interface Waiting {
  session: Session
  resolve: (pdu: PDU) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

export interface Link {
  start: () => void
  request: (command: string, params?: Record<string, unknown>) => Promise<PDU>
  isBound: () => boolean
  health: () => LinkHealth
  close: () => Promise<void>
}

export function createLink(options: LinkOptions): Link {
  const { role, timing } = options
  let session: Session | undefined
  let health: LinkHealth = { role, state: 'disconnected', since: new Date(), lastError: null }
  let started = false
  let closing = false
  let failures = 0
  let reconnectTimer: NodeJS.Timeout | undefined
  let enquireTimer: NodeJS.Timeout | undefined
  const waiting = new Map<number, Waiting>()

  function setState(state: LinkState, error?: string) {
    const lastError = error ? { message: error, at: new Date() } : health.lastError
    if (state !== health.state || error) health = { role, state, since: new Date(), lastError }
    options.onStateChange(health)
  }

  function rejectAll(current: Session, error: Error) {
    for (const [sequence, entry] of waiting) {
      if (entry.session !== current) continue
      clearTimeout(entry.timer)
      waiting.delete(sequence)
      entry.reject(error)
    }
  }

  function send(current: Session, command: string, params: Record<string, unknown> = {}): Promise<PDU> {
    return new Promise((resolve, reject) => {
      const pdu = new smpp.PDU(command, params)
      if (!current.send(pdu)) return reject(new NotSentError(`${command} not sent: the connection is not writable`))
      const timer = setTimeout(() => {
        waiting.delete(pdu.sequence_number)
        reject(new NoResponseError(`No ${command}_resp within ${timing.responseTimeoutMs} ms`))
      }, timing.responseTimeoutMs)
      waiting.set(pdu.sequence_number, { session: current, resolve, reject, timer })
    })
  }

  function scheduleReconnect() {
    if (closing) return
    const backoff = Math.min(timing.reconnectMaxMs, timing.reconnectMinMs * 2 ** Math.min(failures++, 16))
    reconnectTimer = setTimeout(connect, backoff * (0.75 + Math.random() / 2))
  }

  async function answer(current: Session, pdu: PDU) {
    if (pdu.command === 'deliver_sm') {
      const status = await options.onDeliver(pdu).catch(() => ESME.RX_T_APPN)
      current.send(new smpp.PDU('deliver_sm_resp', { sequence_number: pdu.sequence_number, command_status: status }))
    } else if (pdu.command === 'enquire_link') {
      current.send(new smpp.PDU('enquire_link_resp', { sequence_number: pdu.sequence_number }))
    } else if (pdu.command === 'unbind') {
      current.send(new smpp.PDU('unbind_resp', { sequence_number: pdu.sequence_number }))
      setState('disconnected', 'The SMSC unbound')
      current.close()
    } else {
      current.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: 0x03 }))
    }
  }

  function onPdu(current: Session, pdu: PDU) {
    if (!(pdu.command_id & 0x80000000)) return void answer(current, pdu)
    const entry = waiting.get(pdu.sequence_number)
    if (!entry) return
    clearTimeout(entry.timer)
    waiting.delete(pdu.sequence_number)
    entry.resolve(pdu)
  }

  async function bind(current: Session) {
    const { systemId, password, systemType } = options.credentials
    try {
      const response = await send(current, `bind_${role}`, {
        system_id: systemId,
        password,
        system_type: systemType,
        interface_version: 0x34
      })
      if (response.command_status !== ESME.ROK) throw new Error(`Bind refused: ${statusName(response.command_status)}`)
      failures = 0
      setState('bound')
      enquireTimer = setInterval(() => {
        send(current, 'enquire_link').catch(() => current.destroy())
      }, timing.enquireLinkMs)
    } catch (error) {
      setState('disconnected', (error as Error).message)
      current.destroy()
    }
  }

  function connect() {
    if (closing) return
    setState('connecting')
    // No Nagle: a PDU is one small write, and its response is waited for.
    const current = smpp.connect({ host: options.host, port: options.port, tls: options.tls, noDelay: true })
    session = current
    current.on('error', (error: Error) => {
      health = { ...health, lastError: { message: error.message, at: new Date() } }
    })
    current.once(options.tls ? 'secureConnect' : 'connect', () => void bind(current))
    current.on('pdu', (pdu: PDU) => onPdu(current, pdu))
    current.once('close', () => {
      clearInterval(enquireTimer)
      rejectAll(current, new NoResponseError('The SMPP connection closed before the response'))
      if (session !== current) return
      session = undefined
      if (closing) return setState('closed')
      setState('disconnected', health.state === 'bound' ? 'Connection lost' : undefined)
      scheduleReconnect()
    })
  }

  return {
    start() {
      if (started) return
      started = true
      connect()
    },
    request(command, params) {
      if (!session || health.state !== 'bound') return Promise.reject(new NotSentError(`The ${role} is not bound`))
      return send(session, command, params)
    },
    isBound: () => health.state === 'bound',
    health: () => health,
    async close() {
      closing = true
      clearTimeout(reconnectTimer)
      const current = session
      if (!current) return setState('closed')
      if (health.state === 'bound') await send(current, 'unbind').catch(() => undefined)
      // The SMSC closes after unbind_resp; one that does not is cut off after the response timeout.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          current.destroy()
          resolve()
        }, timing.responseTimeoutMs)
        current.close(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
}
