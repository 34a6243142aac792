import createClient from 'openapi-fetch'
import type { paths } from '../../openapi/parley.d.ts'

// Typed calls to Parley with openapi-fetch and the types in openapi/parley.d.ts: paths, parameters,
// bodies and answers are checked by the TypeScript compiler.
export async function listContactsAndSend(baseUrl: string, accountId: string, clientId: string, clientSecret: string) {
  const client = createClient<paths>({ baseUrl })

  const { data: token } = await client.POST('/oauth2/token', {
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
  })
  if (!token) throw new Error('the token request was refused')
  const headers = { Authorization: `Bearer ${token.access_token}` }

  const contacts = await client.GET('/v1/accounts/{accountId}/contacts', {
    params: { path: { accountId }, query: { limit: 10 } },
    headers
  })
  if (contacts.error) throw new Error(contacts.error.error.message)

  const sent = await client.POST('/v1/accounts/{accountId}/messages', {
    params: { path: { accountId } },
    headers,
    body: {
      contacts: [{ mobile: { number: '+12025550123', country: 'US' } }],
      template: 'Hi {{{firstName}}}, your order has shipped'
    }
  })
  if (sent.error) throw new Error(sent.error.error.message)
  return { contacts: contacts.data.data, sent: sent.data.data }
}
