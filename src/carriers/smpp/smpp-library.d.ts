// The part of the `smpp` npm library (CommonJS, no types of its own) that the SMPP adapter uses.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events'

  export interface PDU {
    command: string
    command_id: number
    command_status: number
    sequence_number: number
    [field: string]: unknown
  }

  export interface Session extends EventEmitter {
    send(pdu: PDU): boolean
    close(callback?: () => void): void
    destroy(callback?: () => void): void
  }

  const smpp: {
    PDU: new (command: string, options?: Record<string, unknown>) => PDU
    connect(options: { host: string; port: number; tls?: boolean; noDelay?: boolean }): Session
    gsmCoder: { encode(text: string, table?: number): Buffer }
  }
  export default smpp
}
