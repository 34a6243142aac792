import { fastifySSE } from '@fastify/sse'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccountParams } from '../../shared/schemas.ts'
import { ClientStream } from './client-stream.ts'
import { InboxHub } from './inbox-hub.ts'
import { InboxEventsHeaders } from './inbox.schemas.ts'
import { Viewer } from './inbox.service.ts'

/** The live inbox: a Server-Sent Events stream of the changes the caller may see (README "Live inbox events"). */
export const inboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, db, log } = app.deps
  await app.register(fastifySSE, { heartbeatInterval: config.inbox.sseHeartbeatMs })
  const hub = new InboxHub({ db, connectionString: config.databaseUrl!, log })
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    await hub.close()
  })

  app.get(
    '/v1/accounts/:accountId/inbox/events',
    {
      // A stream never ends, so the OpenAPI document (whose every operation the Postman collection and
      // the fuzz test call and wait for) leaves it out; the README documents it.
      schema: { hide: true, params: AccountParams, headers: InboxEventsHeaders },
      sse: 'manual'
    },
    async (request, reply) => {
      const viewer = await Viewer.load(db, request.principal)
      const stream = new ClientStream(reply, config.inbox.sseClientBuffer)
      reply.sse.keepAlive()
      reply.sse.sendHeaders()
      // Node holds the head back until the first write; the client should know at once it is connected.
      reply.raw.flushHeaders()
      const unsubscribe = await hub.subscribe({
        accountId: request.principal.accountId,
        deliver: (event) => {
          if (viewer.sees(event)) stream.deliver(event)
        },
        close: () => stream.close()
      })
      reply.sse.onClose(() => {
        unsubscribe()
        viewer.stop()
      })
      const lastEventId = request.headers['last-event-id']
      if (lastEventId === undefined) return stream.resume([])
      const missed = await viewer.missedSince(Number(lastEventId), config.inbox.sseClientBuffer)
      stream.resume(missed.slice(0, config.inbox.sseClientBuffer))
      // More was missed than one connection replays: the client reconnects and carries on from there.
      if (missed.length > config.inbox.sseClientBuffer) stream.closeWhenSent()
    }
  )
}
