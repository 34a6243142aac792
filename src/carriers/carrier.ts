// What a carrier adapter is to the dispatch pipeline. The pipeline owns messages and their
// statuses; an adapter only speaks one carrier's protocol.

export interface CarrierMedia {
  url: string
  type?: string
}

export interface Submission {
  /**
   * The same on every attempt for one message (the message id): the adapter passes it on to the
   * carrier, or keeps it itself, so a retried submit after a crash or a timeout is not a second SMS.
   */
  idempotencyKey: string
  accountId: string
  /** The sender: E.164 number or alphanumeric id. */
  from: string
  /** E.164. */
  to: string
  text: string
  type: 'SMS' | 'MMS'
  media: CarrierMedia[]
}

/** Per-message error in Sakari's shape, e.g. {code: 'MSG-019', description: 'Undelivered'}. */
export interface CarrierError {
  code: string
  description: string
}

export type ReportedStatus = 'sent' | 'delivered' | 'undelivered' | 'failed'

export interface StatusReport {
  carrierMessageId: string
  status: ReportedStatus
  error?: CarrierError
  /** The sender (number or id) the carrier's report names, when it names one: reports are matched within its account. */
  sender?: string
}

/**
 * A report the adapter already knows it will make (the sandbox's), to be applied after delayMs.
 * The pipeline schedules each one as a job (pg-boss `startAfter`), so reports survive a restart.
 */
export interface ScheduledReport extends StatusReport {
  delayMs: number
}

export type SubmitResult =
  | { ok: true; carrierMessageId: string; reports: ScheduledReport[] }
  /** permanent: the message fails now; retryable: the pipeline tries again later with the same key. */
  | { ok: false; failure: 'permanent' | 'retryable'; error: CarrierError }

export interface InboundMessage {
  /** The sender of the message, E.164. */
  from: string
  /** The receiving number: one of the account's senders. */
  to: string
  text: string
  media: CarrierMedia[]
  carrierMessageId: string
  receivedAt: Date
}

export type CarrierEvent = { kind: 'status'; report: StatusReport } | { kind: 'inbound'; message: InboundMessage }

/** A carrier's HTTP callback (status or inbound) as the route that received it saw it. */
export interface CarrierCallback {
  url: string
  headers: Record<string, string | string[] | undefined>
  rawBody: string
  body: unknown
}

/** A carrier's state as GET /carriers shows it: never a setting, so never a secret. */
export interface CarrierHealth {
  /** Connection protocols: bound, connecting, disconnected, closed; HTTP protocols: ready. */
  state: string
  since: Date
  lastError: { message: string; at: Date } | null
}

export interface CarrierAdapter {
  readonly name: string
  /** The settings' `type` (smpp, twilio); the sandbox's is sandbox. */
  readonly type?: string
  /** Connection protocols: the connection's health. */
  health?: () => CarrierHealth
  /**
   * Submits one message. Answers a classified failure rather than throwing; a throw means the
   * outcome is unknown (e.g. a timeout), which the pipeline treats as retryable with the same key.
   */
  send: (submission: Submission) => Promise<SubmitResult>
  /**
   * Optional: many submissions at once (distinct keys), answered in the same order, with the same
   * meaning as send for each. The pipeline uses it where it can, as per-message round trips bound
   * throughput (the sandbox records a batch in one statement).
   */
  sendBatch?: (submissions: readonly Submission[]) => Promise<SubmitResult[]>
  /** HTTP-callback protocols: the status reports and inbound messages a callback carries. */
  parseCallback?: (callback: CarrierCallback) => CarrierEvent[]
  /** Protocols that sign their callbacks: whether this one is genuine. Checked before parseCallback. */
  verifySignature?: (callback: CarrierCallback) => boolean
  /** Connection protocols (SMPP): start receiving, handing each report and inbound message to onEvent. */
  start?: (onEvent: (event: CarrierEvent) => Promise<void>) => Promise<void>
  close?: () => Promise<void>
}
