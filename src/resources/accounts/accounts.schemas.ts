import { Type, type Static } from 'typebox'
import { nullable } from '../../lib/nullable-schema.ts'
import { ref, Updated } from '../../shared/schemas.ts'

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
