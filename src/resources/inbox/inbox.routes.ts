import { fastifySSE } from '@fastify/sse'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError } from '../../errors/api-error.ts'
import { AccountParams } from '../../shared/schemas.ts'
import { ClientStream } from './client-stream.ts'
import { InboxHub } from './inbox-hub.ts'
import { InboxEventsHeaders } from './inbox.schemas.ts'
import { Viewer } from './inbox.service.ts'
import { StreamSlots } from './stream-slots.ts'

// With no credential cache (PARLEY_CREDENTIAL_CACHE_SECONDS=0) streams are still re-checked only this
// often: each re-check is a few queries per account with open streams.
const MIN_RECHECK_MS = 1000

/** The live inbox: a Server-Sent Events stream of the changes the caller may see (docs/shared-inbox.md). */
export const inboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, db, log } = app.deps
  const { inbox } = config
  await app.register(fastifySSE, { heartbeatInterval: inbox.sseHeartbeatMs })
  const hub = new InboxHub({
    db,
    connectionString: config.databaseUrl!,
    log,
    recheckMs: Math.max(MIN_RECHECK_MS, config.credentialCacheMs)
  })
  const slots = new StreamSlots({
    perCredential: inbox.sseMaxStreamsPerCredential,
    perUser: inbox.sseMaxStreamsPerUser
  })
  const bounds = { maxEvents: inbox.sseClientBuffer, maxBytes: inbox.sseClientBufferBytes }
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
      const { principal } = request
      // Taken before anything is awaited, so streams opened at once cannot all pass the count.
      const release = slots.take(principal)
      // Everything that can fail with an error answer happens before the stream's head is sent.
      let viewer: Viewer
      let unsubscribe: () => void
      const stream = new ClientStream(reply, bounds)
      try {
        const loaded = await Viewer.load(db, principal)
        if (typeof loaded === 'string') throw new ApiError(loaded)
        viewer = loaded
        unsubscribe = await hub.subscribe({
          principal,
          deliver: (event) => {
            if (viewer.sees(event)) stream.deliver(event)
          },
          recheck: (access) => {
            if (typeof access !== 'string') return viewer.update(access)
            request.log.info({ code: access }, 'inbox stream ended: its principal may no longer see the inbox')
            stream.close()
          },
          close: () => stream.close()
        })
      } catch (error) {
        release()
        throw error
      }
      const stop = () => {
        unsubscribe()
        release()
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
        await stream.replay((afterSeq, size) => viewer.missedPage(afterSeq, size), Number(lastEventId))
      } catch (error) {
        // The head is sent, so no error answer: end the stream; the client reconnects with the same id.
        request.log.error({ err: error }, 'could not replay missed inbox events')
        stream.close()
      }
    }
  )
}
