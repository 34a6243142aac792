import type { FastifyBaseLogger } from 'fastify'
import type { Inbound } from '../resources/inbound/inbound.service.ts'
import { receiveInbound } from '../resources/inbound/inbound.service.ts'
import { applyReports } from '../resources/messages/message-status.ts'
import type { CarrierEvent, InboundMessage, StatusReport } from './carrier.ts'
import { findCarrierSenders } from './carrier-senders.repository.ts'

/** Where the callback routes hand a carrier's verified events to the message pipeline. */
export type OnCarrierEvents = (carrier: string, events: readonly CarrierEvent[]) => Promise<void>

/**
 * Status reports are applied within the account of the sender they name, so one account's report
 * never moves another's message; inbound messages land in the account of the receiving sender.
 * A number that is no sender of this carrier, or one of several accounts, is logged and dropped.
 */
export function carrierEventsHandOff(inbound: Inbound, log: FastifyBaseLogger): OnCarrierEvents {
  async function senderOf(carrier: string, number: string | undefined) {
    const senders = number === undefined ? [] : await findCarrierSenders(inbound.db, carrier, number)
    if (senders.length !== 1)
      log.warn({ carrier, number, matches: senders.length }, 'carrier callback names no single sender; dropped')
    return senders.length === 1 ? senders[0] : undefined
  }

  async function applyStatus(carrier: string, reports: StatusReport[]): Promise<void> {
    const bySender = Map.groupBy(reports, (report) => report.sender)
    for (const [number, mine] of bySender) {
      const sender = await senderOf(carrier, number)
      if (!sender) continue
      await inbound.db.transaction().execute(async (tx) => {
        await applyReports(tx, carrier, mine, sender.account_id)
      })
    }
  }

  async function receive(carrier: string, message: InboundMessage): Promise<void> {
    const sender = await senderOf(carrier, message.to)
    if (sender) await receiveInbound(inbound, sender.account_id, sender, message)
  }

  return async (carrier, events) => {
    const reports = events.flatMap((event) => (event.kind === 'status' ? [event.report] : []))
    if (reports.length > 0) await applyStatus(carrier, reports)
    for (const event of events) if (event.kind === 'inbound') await receive(carrier, event.message)
  }
}
