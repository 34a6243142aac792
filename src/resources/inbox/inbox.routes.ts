import { fastifySSE } from '@fastify/sse'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccountParams } from '../../shared/schemas.ts'
import { ClientStream } from './client-stream.ts'
import { InboxHub } from './inbox-hub.ts'
import { InboxEventsHeaders } from './inbox.schemas.ts'
import { Viewer } from './inbox.service.ts'

/** The live inbox: a Server-Sent Events stream of the changes the caller may see (docs/shared-inbox.md). */
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
      // the fuzz test call and wait for) leaves it out; docs/shared-inbox.md documents it.
      schema: { hide: true, params: AccountParams, headers: InboxEventsHeaders },
      sse: 'manual'
    },
    async (request, reply) => {
      // Everything that can fail with an error answer happens before the stream's head is sent.
      const viewer = await Viewer.load(db, request.principal)
      const stream = new ClientStream(reply, config.inbox.sseClientBuffer)
      let unsubscribe: () => void
      try {
        unsubscribe = await hub.subscribe({
          accountId: request.principal.accountId,
          deliver: (event) => {
            if (viewer.sees(event)) stream.deliver(event)
          },
          close: () => stream.close()
        })
      } catch (error) {
        viewer.stop()
        throw error
      }
      const stop = () => {
        unsubscribe()
        viewer.stop()
      }
      reply.sse.onClose(stop)
      // A client that left while it was being subscribed is not around to close again.
      if (!reply.sse.isConnected) return stop()
      reply.sse.keepAlive()
      reply.sse.sendHeaders()
      // Node holds the head back until the first write; the client should know at once it is connected.
      reply.raw.flushHeaders()
      const lastEventId = request.headers['last-event-id']
      if (lastEventId === undefined) return stream.resume([])
      try {
        const missed = await viewer.missedSince(Number(lastEventId), config.inbox.sseClientBuffer)
        stream.resume(missed.slice(0, config.inbox.sseClientBuffer))
        // More was missed than one connection replays: the client reconnects and carries on from there.
        if (missed.length > config.inbox.sseClientBuffer) stream.closeWhenSent()
      } catch (error) {
        // The head is sent, so no error answer: end the stream; the client reconnects with the same id.
        request.log.error({ err: error }, 'could not replay missed inbox events')
        stream.close()
      }
    }
  )
}
