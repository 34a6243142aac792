// The ceilings' bare Fastify server, no auth, no schema: GET /point/:n does one indexed point query;
// POST /store stores the request's JSON body, one insert committed per request; GET /hold answers an
// event stream's head and one comment, then holds the response open (what one idle stream costs at the least).
import Fastify from 'fastify'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
const prefix = process.env.MOBILE_PREFIX ?? '+1212'
const base = Number(process.env.MOBILE_BASE ?? 2000000)
const app = Fastify()
app.get<{ Params: { n: string } }>('/point/:n', async (request) => {
  const { rows } = await pool.query(
    'SELECT id, mobile, first_name FROM contacts WHERE account_id = $1 AND mobile = $2',
    [process.env.ACCOUNT_ID, `${prefix}${base + Number(request.params.n)}`]
  )
  return { success: true, data: rows[0] ?? null }
})
await pool.query('CREATE TABLE IF NOT EXISTS bench_bare_store (id bigserial PRIMARY KEY, body jsonb NOT NULL)')
app.post('/store', async (request) => {
  const { rows } = await pool.query('INSERT INTO bench_bare_store (body) VALUES ($1) RETURNING id', [request.body])
  return { success: true, data: rows[0] }
})
app.get('/hold', (_request, reply) => {
  reply.hijack()
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  reply.raw.write(': held\n\n')
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0))
})
