import { Type, type Static } from 'typebox'
import { AccountParams, paginationQuery, ref, Updated } from '../../shared/schemas.ts'
import { AttributeFilter, MediaInput, StoredMedia } from '../messages/messages.schemas.ts'

// How a campaign was started: by hand, on its schedule, or by a file upload. Stored in campaign_jobs.trigger_code.
export const TRIGGER_CODES = ['M', 'S', 'FU'] as const
export type TriggerCode = (typeof TRIGGER_CODES)[number]

const Tags = Type.Array(
  Type.Union([
    Type.String({ minLength: 1 }),
    Type.Object({ tag: Type.String({ minLength: 1 }), visible: Type.Optional(Type.Boolean()) })
  ]),
  { maxItems: 50, description: 'Contacts carrying all these tags: strings, or {tag, visible} objects' }
)

export const CampaignFilters = Type.Object({
  contacts: Type.Optional(Type.Array(Type.String(), { maxItems: 1000, description: 'Contact ids' })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 50 })),
  attributes: Type.Optional(Type.Array(AttributeFilter, { maxItems: 50 })),
  list: Type.Optional(Type.String({ minLength: 1, description: 'A list id: its members are the audience' }))
})

const FiltersInput = Type.Object({
  contacts: CampaignFilters.properties.contacts,
  tags: Type.Optional(Tags),
  attributes: CampaignFilters.properties.attributes,
  list: CampaignFilters.properties.list
})

export const Schedule = Type.Object({
  cron: Type.String({
    minLength: 9,
    maxLength: 120,
    description: 'Five-field cron expression',
    examples: ['0 9 * * 1']
  }),
  timezone: Type.String({
    default: 'UTC',
    maxLength: 64,
    description: 'IANA time zone the cron is read in',
    examples: ['America/New_York']
  }),
  frequency: Type.Optional(
    Type.String({ maxLength: 40, description: 'A label for people (e.g. weekly); the cron decides' })
  )
})

export const Reporting = Type.Object({
  when: Type.Optional(Type.String({ maxLength: 40, examples: ['NoReport'] })),
  delay: Type.Optional(Type.Number()),
  unit: Type.Optional(Type.String({ maxLength: 40 })),
  destination: Type.Optional(Type.String({ maxLength: 500 }))
})

export const FieldMapping = Type.Object({
  column: Type.String({ minLength: 1, maxLength: 200, description: 'CSV column header' }),
  attribute: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Contact field (mobile, country, firstName, lastName, email) or custom attribute name'
  }),
  mandatory: Type.Optional(Type.Boolean())
})

const Trigger = Type.Object({
  code: Type.Enum(TRIGGER_CODES, {
    default: 'M',
    description: 'M runs when executed; S runs on its schedule; FU runs on each uploaded CSV file'
  })
})

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200, examples: ['Marketing Campaign'] }),
  description: Type.String({ maxLength: 2000 }),
  template: Type.String({ minLength: 1, maxLength: 5000, examples: ['Hi {{{contact.firstName}}}'] }),
  templateId: Type.String({ description: 'A saved template, used when template is not given' }),
  media: Type.Array(MediaInput, { maxItems: 10 }),
  phoneNumberFilter: Type.Object({
    group: Type.Optional(Type.Object({ id: Type.Optional(Type.String({ description: 'Group id or API code' })) }))
  })
}

export const CampaignRequest = Type.Object({
  name: fields.name,
  description: Type.Optional(fields.description),
  trigger: Type.Optional(Trigger),
  filters: Type.Optional(FiltersInput),
  template: Type.Optional(fields.template),
  templateId: Type.Optional(fields.templateId),
  media: Type.Optional(fields.media),
  phoneNumberFilter: Type.Optional(fields.phoneNumberFilter),
  schedule: Type.Optional(Schedule),
  reporting: Type.Optional(Reporting),
  fieldMappings: Type.Optional(Type.Array(FieldMapping, { maxItems: 200 })),
  paused: Type.Optional(Type.Boolean({ description: 'A paused scheduled campaign does not run' }))
})

// PUT changes the fields it is given and keeps the others.
export const CampaignUpdate = Type.Partial(CampaignRequest)

export const CampaignJob = Type.Object(
  {
    id: Type.String({ description: 'The send job: follow its messages with GET …/messages?jobId=' }),
    created: Type.String({ format: 'date-time' }),
    status: Type.String({ examples: ['completed'] }),
    submitted: Type.Integer({ description: 'Recipients the run asked for' }),
    failures: Type.Integer({ description: 'Messages that failed or were undelivered so far' }),
    invalid: Type.Integer({ description: 'Recipients refused before sending (opted out, no sender, …)' }),
    price: Type.Number({ description: 'Price of the messages sent so far' })
  },
  { $id: 'CampaignJob' }
)

export const Campaign = Type.Object(
  {
    id: Type.String(),
    name: fields.name,
    description: Type.Union([fields.description, Type.Null()]),
    trigger: Type.Object({ code: Type.Enum(TRIGGER_CODES), name: Type.String() }),
    filters: CampaignFilters,
    template: Type.Union([Type.String(), Type.Null()]),
    templateId: Type.Union([Type.String(), Type.Null()]),
    media: Type.Array(StoredMedia),
    phoneNumberFilter: Type.Union([fields.phoneNumberFilter, Type.Null()]),
    schedule: Type.Union([Schedule, Type.Null()]),
    reporting: Type.Union([Reporting, Type.Null()]),
    fieldMappings: Type.Array(FieldMapping),
    lastJob: Type.Union([ref(CampaignJob), Type.Null()]),
    nextExecution: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    paused: Type.Boolean(),
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Campaign' }
)

export const CampaignParams = Type.Object({
  ...AccountParams.properties,
  campaignId: Type.String({ description: 'Campaign id' })
})

export const CampaignsQuery = Type.Object({
  ...paginationQuery,
  name: Type.Optional(Type.String({ maxLength: 200, description: 'Filter by name or part of it, ignoring case' }))
})

export type CampaignFiltersShape = Static<typeof CampaignFilters>
export type CampaignRequestShape = Static<typeof CampaignRequest>
export type CampaignUpdateShape = Static<typeof CampaignUpdate>
export type CampaignShape = Static<typeof Campaign>
export type ScheduleShape = Static<typeof Schedule>
export type ReportingShape = Static<typeof Reporting>
export type FieldMappingShape = Static<typeof FieldMapping>
export type FiltersInputShape = Static<typeof FiltersInput>

/** Tags as strings, whichever of the two spellings a client sent. */
export function normalizeFilters(filters: FiltersInputShape): CampaignFiltersShape {
  const { tags, ...rest } = filters
  return { ...rest, ...(tags ? { tags: tags.map((tag) => (typeof tag === 'string' ? tag : tag.tag)) } : {}) }
}

// Only these roles create, change, run or delete campaigns.
export const CAMPAIGN_MANAGERS = ['Administrator', 'Campaign Manager'] as const

export const QuickCampaignRequest = Type.Object({
  name: fields.name,
  groupId: Type.String({ description: 'The group to send from: id or API code' }),
  listId: Type.String({ description: 'The list to send to' }),
  message: Type.Object({
    message: fields.template,
    media: Type.Optional(fields.media)
  }),
  sendAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'Send later: the messages stay scheduled until then' })
  )
})

export type QuickCampaignRequestShape = Static<typeof QuickCampaignRequest>
