import { Type, type Static } from 'typebox'
import { AccountParams, mediaUrl, paginationQuery, ref, Updated } from '../../shared/schemas.ts'
import { ContactError } from '../contacts/contacts.schemas.ts'
import { MESSAGE_STATUSES } from './messages.table.ts'

const MobileInput = Type.Object({
  number: Type.String({ minLength: 1, maxLength: 40, examples: ['+1234567890'] }),
  country: Type.Optional(Type.String({ description: 'ISO 3166 alpha-2', examples: ['US'] }))
})

const SendContact = Type.Object({
  id: Type.Optional(
    Type.String({
      description: 'An existing contact; otherwise the contact is matched by mobile, and created when new'
    })
  ),
  mobile: Type.Optional(MobileInput),
  firstName: Type.Optional(Type.String({ maxLength: 200 })),
  lastName: Type.Optional(Type.String({ maxLength: 200 })),
  email: Type.Optional(Type.String({ maxLength: 254 })),
  attributes: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: 'Values for personalisation in this send (not stored)' })
  )
})

const FilterValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()])

export const AttributeFilter = Type.Object({
  name: Type.Optional(
    Type.String({ description: 'Attribute name: a custom attribute, or firstName, lastName, email, mobile, country' })
  ),
  attribute: Type.Optional(Type.String({ description: "Same as name (the newer documentation's spelling)" })),
  comparator: Type.Enum(['=', '<', '<=', '>', '>=', '!='], { default: '=' }),
  value: Type.Union([FilterValue, Type.Array(FilterValue, { minItems: 1, maxItems: 100 })], {
    description: 'A list with = or != means any of / none of'
  })
})

export const SendFilters = Type.Object({
  tags: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), { maxItems: 50, description: 'Contacts carrying all these tags' })
  ),
  attributes: Type.Optional(Type.Array(AttributeFilter, { maxItems: 50 })),
  list: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A list id: its members (with tags and attributes: those of them matching)'
    })
  )
})

const MessageType = Type.Union([Type.Literal('SMS'), Type.Literal('MMS')])
export const MediaInput = Type.Object({
  url: mediaUrl(),
  type: Type.Optional(Type.String({ maxLength: 100 }))
})

export const SendMessagesRequest = Type.Object({
  contacts: Type.Optional(Type.Array(SendContact, { maxItems: 1000 })),
  conversations: Type.Optional(
    Type.Array(Type.String(), {
      maxItems: 1000,
      description: "Conversation ids: replies use the conversation's sender"
    })
  ),
  filters: Type.Optional(SendFilters),
  template: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 5000,
      description: 'Text with {{{firstName}}}-style placeholders',
      examples: ['Congratulations! You just sent your first message']
    })
  ),
  templateId: Type.Optional(Type.String({ description: 'A saved template to use instead of template' })),
  type: Type.Optional(MessageType),
  media: Type.Optional(Type.Array(MediaInput, { maxItems: 10 })),
  phoneNumberFilter: Type.Optional(
    Type.Object({
      group: Type.Optional(Type.Object({ id: Type.Optional(Type.String({ description: 'Group id or API code' })) }))
    })
  ),
  sendAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'Send later: the messages stay scheduled until then' })
  ),
  conversationStrategy: Type.Optional(Type.String({ description: 'Accepted for compatibility; ignored' }))
})

export const MessageErrorShape = ref(ContactError)

/** A message's media as stored and shown: a send's, or its saved template's. */
export const StoredMedia = Type.Object({
  url: Type.String(),
  type: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  filename: Type.Optional(Type.String())
})

export const Message = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum(MESSAGE_STATUSES),
    type: MessageType,
    message: Type.String({ description: 'The rendered text' }),
    template: Type.Optional(Type.String()),
    outgoing: Type.Boolean(),
    phoneNumber: Type.String({ description: "The sender's number", examples: ['+1234567890'] }),
    price: Type.Number(),
    segments: Type.Integer(),
    encoding: Type.String({ examples: ['GSM-7'] }),
    read: Type.Boolean(),
    media: Type.Array(StoredMedia),
    sendAt: Type.Optional(Type.String({ format: 'date-time' })),
    contact: Type.Object({
      id: Type.String(),
      firstName: Type.Optional(Type.String()),
      lastName: Type.Optional(Type.String()),
      email: Type.Optional(Type.String()),
      mobile: Type.Object({ number: Type.String(), country: Type.Optional(Type.String()) }),
      integrations: Type.Optional(
        Type.Record(Type.String(), Type.Object({ id: Type.String() }), {
          description: "Links to the contact's integration records, by integration name"
        })
      )
    }),
    conversation: Type.Object({ id: Type.String(), closed: Type.Boolean() }),
    group: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
    jobId: Type.Optional(Type.String()),
    error: Type.Optional(MessageErrorShape),
    queuedAt: Type.Optional(Type.String({ format: 'date-time' })),
    sentAt: Type.Optional(Type.String({ format: 'date-time' })),
    deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
    failedAt: Type.Optional(Type.String({ format: 'date-time' })),
    receivedAt: Type.Optional(Type.String({ format: 'date-time' })),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Message' }
)

export const InvalidRecipient = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'The contact, when known' })),
    mobile: Type.Optional(Type.Object({ number: Type.String(), country: Type.Optional(Type.String()) })),
    conversation: Type.Optional(Type.Object({ id: Type.String() })),
    valid: Type.Literal(false),
    error: MessageErrorShape
  },
  { $id: 'InvalidRecipient' }
)

export const SendMessagesResult = Type.Object(
  {
    requested: Type.Integer({ description: 'Recipients asked for (contacts, conversations and matching contacts)' }),
    valid: Type.Integer({ description: 'Messages created so far' }),
    invalid: Type.Array(ref(InvalidRecipient)),
    messages: Type.Array(ref(Message), {
      description: 'The messages created; empty while a large send expands in the background'
    }),
    estimatedPrice: Type.Number(),
    jobId: Type.String({ description: 'Follow the messages with GET …/messages?jobId=' }),
    status: Type.Enum(['expanding', 'completed'], {
      description: 'expanding: the recipients beyond the first are being added in the background'
    })
  },
  { $id: 'SendMessagesResult' }
)

export const MessagesQuery = Type.Object({
  ...paginationQuery,
  contactId: Type.Optional(Type.String()),
  conversationId: Type.Optional(Type.String()),
  group: Type.Optional(Type.String({ description: 'Group id or API code' })),
  status: Type.Optional(Type.Enum(MESSAGE_STATUSES)),
  direction: Type.Optional(Type.Enum(['inbound', 'outbound'])),
  jobId: Type.Optional(Type.String())
})

export const MessageParams = Type.Object({
  ...AccountParams.properties,
  messageId: Type.String({ description: 'ID of message to return' })
})
export const SendJobParams = Type.Object({ ...AccountParams.properties, jobId: Type.String() })

export const SendJob = Type.Object(
  {
    jobId: Type.String(),
    status: Type.Enum(['expanding', 'completed', 'failed']),
    requested: Type.Integer(),
    valid: Type.Integer(),
    invalid: Type.Integer(),
    estimatedPrice: Type.Number(),
    created: ref(Updated)
  },
  { $id: 'SendJob' }
)

export type SendMessagesRequestShape = Static<typeof SendMessagesRequest>
export type SendFiltersShape = Static<typeof SendFilters>
export type MessageShape = Static<typeof Message>
export type InvalidRecipientShape = Static<typeof InvalidRecipient>
export type SendMessagesResultShape = Static<typeof SendMessagesResult>
export type MessagesQueryShape = Static<typeof MessagesQuery>
export type SendJobShape = Static<typeof SendJob>

// Role policy: every role reads the inboxes of its groups; these send.
export const MESSAGE_SENDERS = ['Administrator', 'Campaign Manager', 'Sender'] as const
