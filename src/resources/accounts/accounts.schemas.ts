import { Type, type Static } from 'typebox'
import { ref, Updated } from '../../shared/schemas.ts'
import type { AccountRow } from './accounts.table.ts'
import { auditStamps } from '../../shared/audit.ts'

export const Account = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created: ref(Updated),
  updated: ref(Updated)
}, { $id: 'Account' })

export type AccountShape = Static<typeof Account>

export function toAccount (row: AccountRow): AccountShape {
  return { id: row.id, name: row.name, ...auditStamps(row) }
}
