import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { createTestAccount } from '../helpers/fixtures.ts'

t.test('a known path called with a method it does not take', async (t) => {
  const app = await buildTestApp(t)
  const account = await createTestAccount(app)
  const base = `/v1/accounts/${account.accountId}`

  t.test('PATCH …/contacts is 405 in the envelope, with the methods the path takes', async (t) => {
    const response = await app.inject({
      method: 'PATCH',
      url: `${base}/contacts`,
      headers: account.headers,
      payload: {}
    })
    t.equal(response.statusCode, 405)
    t.equal(response.headers.allow, 'GET, HEAD, POST')
    t.same(response.json(), {
      success: false,
      error: {
        code: 'REQ-007',
        message: `Method PATCH is not allowed on ${base}/contacts; it takes GET, HEAD, POST`
      }
    })
    const listed = await app.inject({ url: `${base}/contacts`, headers: account.headers })
    t.equal(listed.json().pagination.totalCount, 0, 'nothing was stored')
  })

  t.test("GET …/conversations/{id}/close (Sakari's curl sample's method) is 405: close takes PUT", async (t) => {
    const response = await app.inject({
      url: `${base}/conversations/6b0d0a6f2f5841ec3d797ef7/close`,
      headers: account.headers
    })
    t.equal(response.statusCode, 405)
    t.equal(response.headers.allow, 'PUT')
    t.equal(response.json().error.code, 'REQ-007')
  })

  t.test('the answer needs no token and ignores the query string', async (t) => {
    const response = await app.inject({ method: 'DELETE', url: '/oauth2/token?x=1' })
    t.equal(response.statusCode, 405)
    t.equal(response.headers.allow, 'POST')
    t.match(response.json().error.message, /^Method DELETE is not allowed on \/oauth2\/token;/)
  })

  t.test('a path with a parameter lists the methods of that pattern only', async (t) => {
    const response = await app.inject({ method: 'POST', url: `${base}/contacts/some-id`, headers: account.headers })
    t.equal(response.statusCode, 405)
    t.equal(response.headers.allow, 'GET, HEAD, PUT, DELETE')
  })

  t.test('unknown paths are still 404', async (t) => {
    for (const [method, url] of [
      ['GET', '/v1/nothing-here'],
      ['PATCH', `${base}/nothing-here`],
      ['GET', `${base}/contacts/some-id/nothing-here`]
    ] as const) {
      const response = await app.inject({ method, url, headers: account.headers })
      t.equal(response.statusCode, 404, `${method} ${url}`)
      t.equal(response.json().error.code, 'REQ-005')
      t.notOk(response.headers.allow, 'no Allow header on a 404')
    }
  })
})
