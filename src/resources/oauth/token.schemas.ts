import { Type } from 'typebox'

// Every field optional: a missing one is an RFC 6749 invalid_request, not a generic validation error.
export const TokenRequest = Type.Object({
  grant_type: Type.Optional(Type.String({ examples: ['client_credentials'] })),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String())
})

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the token expires; the JWT also carries exp' }),
  scope: Type.String()
})

export const OAuthError = Type.Object({
  success: Type.Literal(false),
  error: Type.String({ description: 'RFC 6749 section 5.2 error code', examples: ['invalid_client'] }),
  error_description: Type.String()
})
