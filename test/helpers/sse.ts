import net from 'node:net'

/** Parsed `data:`, loosely typed as a fetch response's JSON is. */
type Json = Awaited<ReturnType<Response['json']>>

export interface SseEvent {
  id?: string
  event?: string
  data: string
}

/**
 * A Server-Sent Events client over fetch: collects the events as they arrive. `next` waits for the
 * first event after those already taken that matches, failing after `timeoutMs`. An answer other
 * than 200 is read as the JSON envelope, in `error`.
 */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController()
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal
  })
  const error: Json = response.ok ? undefined : await response.json()
  const events: SseEvent[] = []
  let comments = 0
  let ended = false
  const waiters = new Set<() => void>()
  const notify = () => {
    for (const waiter of waiters) waiter()
  }
  const read = async () => {
    if (!response.body || !response.ok) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = { data: '' }
          let isComment = true
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) continue
            isComment = false
            const colon = line.indexOf(':')
            const field = line.slice(0, colon)
            const value = line.slice(colon + 1).replace(/^ /, '')
            if (field === 'data') event.data += (event.data ? '\n' : '') + value
            else if (field === 'id') event.id = value
            else if (field === 'event') event.event = value
          }
          if (isComment) comments++
          else events.push(event)
        }
        notify()
      }
    } catch {
      // Aborted by close().
    }
    ended = true
    notify()
  }
  const reading = read()
  let taken = 0
  return {
    status: response.status,
    headers: response.headers,
    error,
    events,
    get comments() {
      return comments
    },
    get ended() {
      return ended
    },
    /** The next event (after the ones already returned) that matches, parsed. */
    async next(matches: (event: SseEvent & { json: Json }) => boolean = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        while (taken < events.length) {
          const event = { ...events[taken]!, json: JSON.parse(events[taken]!.data) }
          taken++
          if (matches(event)) return event
        }
        if (ended) throw new Error('the stream ended')
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          const waiter = () => {
            clearTimeout(timer)
            waiters.delete(waiter)
            resolve()
          }
          waiters.add(waiter)
        })
      }
    },
    async close() {
      controller.abort()
      await reading
    }
  }
}

/**
 * A client that sends the stream's request over a bare socket, takes the first chunk (the head), then
 * stops reading: what the server sees of a client that never reads. `read` starts reading again and
 * answers the text received (head included) once `until` holds of it or the server ends the connection.
 */
export async function openStalledStream(url: string, headers: Record<string, string>) {
  const { hostname, port, pathname, host } = new URL(url)
  const socket = net.connect(Number(port), hostname)
  const chunks: Buffer[] = []
  let reading = false
  let ended = false
  socket.on('error', () => {})
  const answered = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (!reading) socket.pause()
      resolve()
    })
    socket.on('close', () => {
      ended = true
      reject(new Error('the server closed the connection before answering'))
    })
  })
  // Without keep-alive, the server's end of the response closes the connection, which the client sees.
  const lines = Object.entries({ host, accept: 'text/event-stream', connection: 'close', ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`
  )
  socket.write(`GET ${pathname} HTTP/1.1\r\n${lines.join('')}\r\n`)
  await answered
  const text = () => Buffer.concat(chunks).toString('utf8')
  return {
    status: Number(text().slice(9, 12)),
    get ended() {
      return ended
    },
    async read(until: (text: string) => boolean = () => false, timeoutMs = 30_000): Promise<string> {
      reading = true
      socket.resume()
      const deadline = Date.now() + timeoutMs
      while (!ended && !until(text()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      return text()
    },
    close() {
      socket.destroy()
    }
  }
}
