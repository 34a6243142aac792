import net from 'node:net'
import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'

// Requests Node's HTTP parser or the router refuse before any route runs, sent as raw bytes to a
// listening server (app.inject cannot send them): each is answered in the envelope, without echoing.

async function rawRequest(port: number, request: string): Promise<{ status: number; body: string }> {
  return await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (!match) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`))
      resolve({ status: Number(match[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) })
    })
    socket.write(request, 'latin1')
    socket.end()
  })
}

t.test('malformed requests on a real socket', async (t) => {
  const app = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as net.AddressInfo
  const get = (target: string, headers = '') =>
    rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`)
  const envelope = (code: string, message: string) => ({ success: false, error: { code, message } })

  const badEncoding = await get('/v1/accounts/a/contacts/%E0%A4%A')
  t.equal(badEncoding.status, 400)
  t.same(JSON.parse(badEncoding.body), envelope('REQ-009', 'Malformed request'))

  const nulHeader = await get('/health', 'X-Odd: a\u0000b\r\n')
  t.equal(nulHeader.status, 400)
  t.same(JSON.parse(nulHeader.body), envelope('REQ-009', 'Malformed request'))

  const bigHeader = await get('/health', `X-Big: ${'h'.repeat(20_000)}\r\n`)
  t.equal(bigHeader.status, 431)
  t.same(JSON.parse(bigHeader.body), envelope('REQ-011', 'Request headers or URL too large'))

  const longQuery = await get(`/health?q=${'q'.repeat(20_000)}`)
  t.equal(longQuery.status, 431)
  t.equal(JSON.parse(longQuery.body).error.code, 'REQ-011')

  const longId = 'z'.repeat(200)
  const longParam = await get(`/v1/accounts/a/contacts/${longId}`)
  t.equal(longParam.status, 414)
  t.same(JSON.parse(longParam.body), envelope('REQ-010', 'Request URL or path parameter too long'))
  t.notMatch(longParam.body, longId, 'the URL is not echoed')

  const fine = await get('/health')
  t.equal(fine.status, 200, 'the server still answers')
})
