import type { CarrierEvent, StatusReport } from '../../carriers/carrier.ts'
import type { Deps } from '../../deps.ts'
import { receiveInbound, type Received } from '../inbound/inbound.service.ts'
import { findLiveSenderByNumber } from '../senders/senders.repository.ts'
import type { SenderRow } from '../senders/senders.table.ts'
import { applyReports, keepReports } from './status/message-status.service.ts'
import { unknownCarrierMessageIds } from './status/status.repository.ts'

/**
 * The one way carrier events enter the message path, whoever hands them over: an adapter's
 * connection (start(onEvent)), an HTTP callback, the sandbox's inbound route or a scheduled report.
 * Status reports move their messages forward (status stage) within one account: `accountId` when given
 * (a report the pipeline scheduled itself) or else the account of the sender the report names, so a
 * report never moves another account's message; a report that names no sender of this carrier is
 * logged and dropped; one that matches no message yet is kept and applied later (keepReports). An
 * inbound message goes to the sender with its number, whatever the account (sender numbers are
 * unique across the installation), and then through the inbound stage. Answers what the inbound
 * messages became, in order; a message to a number that is no live sender of this carrier is logged
 * and dropped. `known` holds senders the caller has just looked up, by the number it looked up, so
 * they are not read twice.
 */
export async function receiveCarrierEvents(
  deps: Deps,
  carrier: string,
  events: readonly CarrierEvent[],
  { accountId, known = new Map() }: { accountId?: string; known?: ReadonlyMap<string, SenderRow> } = {}
): Promise<Received[]> {
  const reports = events.flatMap((event) => (event.kind === 'status' ? [event.report] : []))
  for (const [account, mine] of await reportsByAccount(deps, carrier, reports, accountId))
    await deps.db.transaction().execute(async (tx) => {
      // Read before the reports are applied: an id recorded in between is then applied now and, as a
      // no-op, again by its kept report. Read after, such a report would be applied by neither.
      const unknown = await unknownCarrierMessageIds(
        tx,
        account,
        carrier,
        mine.map((report) => report.carrierMessageId)
      )
      // A kept or scheduled report (message-status-reports job): an id not recorded yet fails the job,
      // whose retry with backoff tries again.
      if (accountId !== undefined && unknown.size > 0)
        throw new Error(`${unknown.size} status reports match no message of carrier ${carrier} yet`)
      await applyReports(tx, carrier, mine, account)
      await keepReports(
        tx,
        deps.queue,
        account,
        carrier,
        mine.filter((report) => unknown.has(report.carrierMessageId))
      )
    })
  const received: Received[] = []
  for (const event of events) {
    if (event.kind !== 'inbound') continue
    const sender = await senderOf(deps, carrier, event.message.to, known)
    if (!sender) continue
    received.push(await receiveInbound(deps, sender, event.message))
  }
  return received
}

async function senderOf(
  deps: Deps,
  carrier: string,
  number: string | undefined,
  known: ReadonlyMap<string, SenderRow> = new Map()
) {
  const sender =
    number === undefined ? undefined : (known.get(number) ?? (await findLiveSenderByNumber(deps.db, number)))
  if (sender?.carrier === carrier) return sender
  deps.log.warn({ carrier, number }, 'carrier event names a number that is no sender of this carrier; dropped')
  return undefined
}

async function reportsByAccount(
  deps: Deps,
  carrier: string,
  reports: readonly StatusReport[],
  accountId: string | undefined
): Promise<Map<string, StatusReport[]>> {
  const byAccount = new Map<string, StatusReport[]>()
  if (reports.length === 0) return byAccount
  if (accountId !== undefined) return byAccount.set(accountId, [...reports])
  for (const [number, mine] of Map.groupBy(reports, (report) => report.sender)) {
    const sender = await senderOf(deps, carrier, number)
    if (sender) byAccount.set(sender.account_id, [...(byAccount.get(sender.account_id) ?? []), ...mine])
  }
  return byAccount
}
