import { Type, type Static } from 'typebox'

export const ShareFileResult = Type.Object(
  {
    link: Type.String({
      description:
        'Serves the file without a token until expires; usable as media[].url in a send, template or campaign',
      examples: ['https://sms.example.com/files/2Xr6…']
    }),
    expires: Type.String({ format: 'date-time' })
  },
  { $id: 'ShareFileResult' }
)

export const SharedFileParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 100, description: "The link's token" })
})

export type ShareFileResultShape = Static<typeof ShareFileResult>
