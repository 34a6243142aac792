import type { CarrierEvent } from '../../carriers/carrier.ts'
import type { Deps } from '../../deps.ts'
import { receiveInbound, type Received } from '../inbound/inbound.service.ts'
import { findLiveSenderByNumber } from '../senders/senders.repository.ts'
import { applyReports } from './status/message-status.ts'

/**
 * The one way carrier events enter the message path, whoever hands them over: an adapter's
 * connection (start(onEvent)), an HTTP callback, the sandbox's inbound route or a scheduled report.
 * Status reports move their messages forward (status stage); an inbound message goes to the sender
 * with its number, whatever the account (sender numbers are unique across the installation), and
 * then through the inbound stage. Answers what the inbound messages became, in order; a message to
 * a number that is no live sender of this carrier is logged and dropped.
 */
export async function receiveCarrierEvents(
  deps: Deps,
  carrier: string,
  events: readonly CarrierEvent[]
): Promise<Received[]> {
  const reports = events.flatMap((event) => (event.kind === 'status' ? [event.report] : []))
  if (reports.length > 0)
    await deps.db.transaction().execute(async (tx) => {
      await applyReports(tx, carrier, reports)
    })
  const received: Received[] = []
  for (const event of events) {
    if (event.kind !== 'inbound') continue
    const sender = await findLiveSenderByNumber(deps.db, event.message.to)
    if (!sender || sender.carrier !== carrier) {
      deps.log.warn({ carrier, to: event.message.to }, 'inbound message to a number that is no sender of this carrier')
      continue
    }
    received.push(await receiveInbound(deps, sender, event.message))
  }
  return received
}
