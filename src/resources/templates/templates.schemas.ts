import { Type, type Static } from 'typebox'
import { mediaUrl, ref, Updated } from '../../shared/schemas.ts'
import { TEMPLATE_TYPES } from './templates.table.ts'

function templateType(options: { default?: string } = {}) {
  return Type.Union([Type.Literal(TEMPLATE_TYPES[0]), Type.Literal(TEMPLATE_TYPES[1])], {
    examples: ['SMS'],
    ...options
  })
}

// additionalProperties: false makes Ajv drop (removeAdditional) unknown properties of a media item
// instead of storing them; it does not reject them.
export const TemplateMedia = Type.Object(
  {
    url: mediaUrl(),
    type: Type.Optional(Type.String({ maxLength: 100, description: 'MIME type, e.g. image/png' })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    filename: Type.Optional(Type.String({ maxLength: 200 }))
  },
  { $id: 'TemplateMedia', additionalProperties: false }
)

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200, examples: ['Test Template'] }),
  template: Type.String({
    minLength: 1,
    maxLength: 5000,
    description:
      'Message text with Sakari placeholders: {{{firstName}}}, {{{contact.lastName}}}, {{{contact.attributes.<name>}}}, {{{<attribute>}}}',
    examples: ['Hi {{{firstName}}}. Grab 20% off today only at ABC Shoes']
  }),
  media: Type.Array(ref(TemplateMedia), { maxItems: 10 })
}

export const Template = Type.Object(
  {
    id: Type.String(),
    name: fields.name,
    type: templateType(),
    template: fields.template,
    media: fields.media,
    created: ref(Updated),
    updated: ref(Updated)
  },
  { $id: 'Template' }
)

export const TemplateRequest = Type.Object(
  {
    name: fields.name,
    type: templateType({ default: 'SMS' }),
    template: fields.template,
    media: Type.Array(ref(TemplateMedia), { maxItems: 10, default: [] })
  },
  { $id: 'TemplateRequest' }
)

// PUT changes the fields it is given and keeps the others, so a client may send only what changed.
export const TemplateUpdate = Type.Partial(
  Type.Object({
    name: fields.name,
    type: templateType(),
    template: fields.template,
    media: fields.media
  })
)

export const TemplateParams = Type.Object({
  accountId: Type.String(),
  templateId: Type.String({ description: 'Template id' })
})

export const TemplateListQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200, description: 'Filter by name or part of it, ignoring case' }))
})

export type TemplateShape = Static<typeof Template>
export type TemplateRequestShape = Static<typeof TemplateRequest>
export type TemplateUpdateShape = Static<typeof TemplateUpdate>
