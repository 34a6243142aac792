import { Type, type Static } from 'typebox'
import { AccountParams, paginationQuery, ref, Updated } from '../../shared/schemas.ts'
import { Message } from '../messages/messages.schemas.ts'

const UserName = {
  id: Type.String(),
  firstName: Type.String(),
  lastName: Type.String()
}

const ConversationLock = Type.Object({
  user: Type.Object(UserName),
  expiresAt: Type.String({ format: 'date-time', description: 'When the lock lapses unless its holder stays active' })
})

const AssignedUser = Type.Object({ ...UserName, email: Type.String() })

export const Conversation = Type.Object(
  {
    id: Type.String(),
    closed: Type.Boolean({ description: "Sakari 1.0.1's boolean; closedAt says when" }),
    closedAt: Type.Optional(Type.String({ format: 'date-time' })),
    contact: Type.Object({
      id: Type.String(),
      firstName: Type.Optional(Type.String()),
      lastName: Type.Optional(Type.String()),
      email: Type.Optional(Type.String()),
      mobile: Type.Object({ number: Type.String(), country: Type.Optional(Type.String()) })
    }),
    phoneNumber: Type.Object(
      {
        id: Type.String(),
        number: Type.String(),
        country: Type.Optional(Type.String()),
        active: Type.Boolean({ description: 'Whether the sender can send now: active and not removed' })
      },
      { description: 'The sender the conversation uses' }
    ),
    group: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
    lastMessage: Type.Optional(ref(Message)),
    lastMessageAt: Type.String({ format: 'date-time' }),
    unread: Type.Array(Type.String(), {
      description: 'Ids of the group members who have not read its latest inbound message'
    }),
    lock: Type.Union([ConversationLock, Type.Null()], {
      description: 'Who is replying, until when; null when nobody holds the lock (or it has lapsed)'
    }),
    assignedUser: Type.Union([AssignedUser, Type.Null()], {
      description:
        "The conversation's assignee: its contact's assigned user, while that user is a member of the conversation's group; otherwise null"
    }),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Conversation' }
)

export const ConversationsQuery = Type.Object({
  ...paginationQuery,
  group: Type.Optional(Type.String({ description: 'Group id or API code' })),
  closed: Type.Optional(Type.Boolean({ description: 'true: the archive (closed); false: open conversations' })),
  contactId: Type.Optional(Type.String()),
  unread: Type.Optional(
    Type.Boolean({ description: 'true: unread by the acting user (for an account-wide credential: read by nobody)' })
  ),
  assignedUserId: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "A user id, `me` (the acting user) or `none` (unassigned, or assigned to a user who is not a member of the conversation's group): the conversation's assignee"
    })
  )
})

export const AssigneeRequest = Type.Object({
  userId: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
    description: "A member of the conversation's group, or null to unassign"
  })
})

export const LockQuery = Type.Object({
  break: Type.Optional(
    Type.Boolean({ description: "Administrators only: release another user's lock", default: false })
  )
})

export const ConversationParams = Type.Object({
  ...AccountParams.properties,
  conversationId: Type.String({ description: 'ID of conversation' })
})

export type ConversationShape = Static<typeof Conversation>
export type ConversationsQueryShape = Static<typeof ConversationsQuery>
