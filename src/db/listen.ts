import pg from 'pg'

const RELISTEN_MS = 1000

export interface ChannelListener {
  /** Settles with the first connection: resolved once it listens, rejected if it failed (retries go on). */
  ready: Promise<void>
  close(): Promise<void>
}

/**
 * LISTENs on `channel` on a connection of its own (a pooled connection would drop its LISTEN when
 * returned) and hands each notification's payload to `onNotification`. A lost or failed connection
 * is reported to `onError` and opened again a second later, until close().
 */
export function listenOn(options: {
  connectionString: string
  channel: string
  onNotification: (payload: string) => void
  onError: (error: unknown) => void
}): ChannelListener {
  let client: pg.Client | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.connectionString })
    client = next
    let failed = false
    const fail = (error: unknown) => {
      if (failed) return
      failed = true
      options.onError(error)
      void next.end().catch(() => undefined)
      if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), RELISTEN_MS).unref()
    }
    next.on('notification', (message) => {
      if (message.channel === options.channel) options.onNotification(message.payload ?? '')
    })
    next.on('error', fail)
    try {
      await next.connect()
      await next.query(`LISTEN ${next.escapeIdentifier(options.channel)}`)
    } catch (error) {
      fail(error)
      throw error
    }
  }
  const ready = connect()
  // Callers that do not wait for the first connection must not see its failure as unhandled.
  ready.catch(() => undefined)
  return {
    ready,
    close: async () => {
      closed = true
      clearTimeout(retry)
      await client?.end().catch(() => undefined)
    }
  }
}
