import { auditStamps } from '../../shared/audit.ts'
import type { SenderDetailsRow } from './senders.table.ts'
import type { SenderShape } from './senders.schemas.ts'

export function toSender(row: SenderDetailsRow): SenderShape {
  return {
    id: row.id,
    number: row.number,
    country: row.country,
    diallingCode: row.dialling_code,
    type: row.type,
    capabilities: row.capabilities,
    carrier: row.carrier,
    throughput: row.throughput,
    status: row.status,
    group: row.group_id === null ? null : { id: row.group_id, name: row.group_name ?? '' },
    ...auditStamps(row)
  }
}
