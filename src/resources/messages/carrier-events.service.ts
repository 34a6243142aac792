import type { CarrierEvent, StatusReport } from '../../carriers/carrier.ts'
import type { Deps } from '../../deps.ts'
import { receiveInbound, type Received } from '../inbound/inbound.service.ts'
import { numberAllowed } from '../senders/sender-numbers.ts'
import { findLiveSenderByNumber } from '../senders/senders.repository.ts'
import type { SenderRow } from '../senders/senders.table.ts'
import { Batches } from '../inbound/inbound-batches.ts'
import { heldReports } from './status/held-reports.ts'
import { applyReports, keepReports } from './status/message-status.service.ts'
import { unknownCarrierMessageIds } from './status/status.repository.ts'

/**
 * The one way carrier events enter the message path, whoever hands them over: an adapter's
 * connection (start(onEvent)), an HTTP callback, the sandbox's inbound route or a scheduled report.
 * Status reports move their messages forward (status stage) within one account: `accountId` when given
 * (a report the pipeline scheduled itself) or else the account of the sender the report names, so a
 * report never moves another account's message; a report that names no sender of this carrier is
 * logged and dropped; one that matches no message yet is kept and applied later (keepReports), by
 * the dispatch that records its id when that runs in this process (HeldReports). Concurrent reports
 * are written in batches, one transaction each. An
 * inbound message goes to the sender with its number, whatever the account (sender numbers are
 * unique across the installation), if the installation lets that account use the number on this
 * carrier (src/resources/senders/sender-numbers.ts), and then through the inbound stage. Answers what the inbound
 * messages became, in order; a message to a number that is no live sender of this carrier is logged
 * and dropped, and one received before is acknowledged and stored once (receiveInbound). `known` holds senders the caller has just looked up, by the number it looked up, so
 * they are not read twice.
 */
export async function receiveCarrierEvents(
  deps: Deps,
  carrier: string,
  events: readonly CarrierEvent[],
  { accountId, known = new Map() }: { accountId?: string; known?: ReadonlyMap<string, SenderRow> } = {}
): Promise<Received[]> {
  const reports = events.flatMap((event) => (event.kind === 'status' ? [event.report] : []))
  if (accountId !== undefined) await applyScheduledReports(deps, carrier, accountId, reports)
  else await Promise.all(reports.map((report) => reportBatchesOf(deps).add(carrier, report)))
  const received: Received[] = []
  for (const event of events) {
    if (event.kind !== 'inbound') continue
    const sender = await senderOf(deps, carrier, event.message.to, known)
    if (!sender) continue
    const answer = await receiveInbound(deps, sender, event.message)
    if (answer) received.push(answer)
  }
  return received
}

// A burst of receipts (an SMSC answers a 1,000-message dispatch job with 1,000 receipts in a second
// or two) costs a transaction per batch instead of one per receipt.
const REPORT_BATCH_CAP = 500

const reportBatches = new WeakMap<Deps, Batches<StatusReport, void>>()

function reportBatchesOf(deps: Deps): Batches<StatusReport, void> {
  let batches = reportBatches.get(deps)
  if (!batches) {
    batches = new Batches({
      write: (carrier, reports) => writeReports(deps, carrier, reports),
      // Two reports on one message go in turn: one statement would apply either of them.
      keyOf: (report) => report.carrierMessageId,
      cap: REPORT_BATCH_CAP
    })
    reportBatches.set(deps, batches)
  }
  return batches
}

/**
 * Reports a carrier handed over (a connection's receipts, a callback's), of any account: applied
 * in one transaction per account, and those that match no message yet kept (keepReports) and held
 * in this process (HeldReports) for the dispatch that records their ids. Each settles once its
 * transaction has committed, so a receipt is acknowledged only when it can no longer be lost.
 */
async function writeReports(
  deps: Deps,
  carrier: string,
  reports: readonly StatusReport[]
): Promise<Array<PromiseSettledResult<void>>> {
  const held = heldReports(deps.carriers)
  for (const [account, mine] of await reportsByAccount(deps, carrier, reports)) {
    // Held before the ids are read: a dispatch that records one after the read finds it held, and
    // one that recorded it before the read has it applied here.
    held.hold(carrier, account, mine)
    const unknown = await deps.db.transaction().execute(async (tx) => {
      // Read before the reports are applied: an id recorded in between is then applied now and, as a
      // no-op, again by its kept report. Read after, such a report would be applied by neither.
      const unknown = await unknownCarrierMessageIds(
        tx,
        account,
        carrier,
        mine.map((report) => report.carrierMessageId)
      )
      await applyReports(tx, carrier, mine, account)
      await keepReports(
        tx,
        deps.queue,
        account,
        carrier,
        mine.filter((report) => unknown.has(report.carrierMessageId))
      )
      return unknown
    })
    held.take(
      carrier,
      account,
      mine.flatMap((report) => (unknown.has(report.carrierMessageId) ? [] : [report.carrierMessageId]))
    )
  }
  return reports.map(() => ({ status: 'fulfilled', value: undefined }))
}

/**
 * Reports the pipeline scheduled or kept itself (message-status-reports job), of one account: an
 * id not recorded yet fails the job, whose retry with backoff tries again.
 */
async function applyScheduledReports(
  deps: Deps,
  carrier: string,
  accountId: string,
  reports: readonly StatusReport[]
): Promise<void> {
  if (reports.length === 0) return
  const ids = reports.map((report) => report.carrierMessageId)
  await deps.db.transaction().execute(async (tx) => {
    const unknown = await unknownCarrierMessageIds(tx, accountId, carrier, ids)
    if (unknown.size > 0) throw new Error(`${unknown.size} status reports match no message of carrier ${carrier} yet`)
    await applyReports(tx, carrier, reports, accountId)
  })
  heldReports(deps.carriers).take(carrier, accountId, ids)
}

async function senderOf(
  deps: Deps,
  carrier: string,
  number: string | undefined,
  known: ReadonlyMap<string, SenderRow> = new Map()
) {
  const sender =
    number === undefined ? undefined : (known.get(number) ?? (await findLiveSenderByNumber(deps.db, number)))
  if (sender?.carrier !== carrier) {
    deps.log.warn({ carrier, number }, 'carrier event names a number that is no sender of this carrier; dropped')
    return undefined
  }
  // A sender added before the installation assigned the number elsewhere never hears of it again.
  if (!(await numberAllowed(deps, carrier, sender.account_id, sender.number))) {
    deps.log.warn(
      { carrier, number, accountId: sender.account_id },
      'carrier event names a sender whose account may not use the number on this carrier (its "accounts" setting); dropped'
    )
    return undefined
  }
  return sender
}

async function reportsByAccount(
  deps: Deps,
  carrier: string,
  reports: readonly StatusReport[]
): Promise<Map<string, StatusReport[]>> {
  const byAccount = new Map<string, StatusReport[]>()
  for (const [number, mine] of Map.groupBy(reports, (report) => report.sender)) {
    const sender = await senderOf(deps, carrier, number)
    if (sender) byAccount.set(sender.account_id, [...(byAccount.get(sender.account_id) ?? []), ...mine])
  }
  return byAccount
}
