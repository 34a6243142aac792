import { auditStamps } from '../../shared/audit.ts'
import type { AccountRow } from './accounts.table.ts'
import type { AccountShape } from './accounts.schemas.ts'

/** The account as the API shows it; `defaultHelpText` stands in until the account sets its own. */
export function toAccount(row: AccountRow, defaultHelpText: string): AccountShape {
  return { id: row.id, name: row.name, helpText: row.help_text ?? defaultHelpText, ...auditStamps(row) }
}
