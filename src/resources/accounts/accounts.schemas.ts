import { Type, type Static } from 'typebox'
import { nullable } from '../../lib/nullable-schema.ts'
import { auditStamps } from '../../shared/audit.ts'
import { ref, Updated } from '../../shared/schemas.ts'
import type { AccountRow } from './accounts.table.ts'

const HelpText = Type.String({ minLength: 1, maxLength: 1000, description: 'The reply to an inbound HELP or INFO' })

export const Account = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    helpText: HelpText,
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Account' }
)

export const AccountUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    helpText: Type.Optional(
      nullable({
        ...HelpText,
        description: 'The reply to an inbound HELP or INFO; null goes back to the instance default (PARLEY_HELP_TEXT)'
      })
    )
  },
  { description: 'Give name, helpText or both; other fields are ignored.' }
)

export type AccountShape = Static<typeof Account>
export type AccountChanges = Static<typeof AccountUpdate>

/** The account as the API shows it; `defaultHelpText` stands in until the account sets its own. */
export function toAccount(row: AccountRow, defaultHelpText: string): AccountShape {
  return { id: row.id, name: row.name, helpText: row.help_text ?? defaultHelpText, ...auditStamps(row) }
}
