import { EventEmitter } from 'node:events'
import type { FastifyReply } from 'fastify'
import t from 'tap'
import { ClientStream } from '../../src/resources/inbox/client-stream.ts'
import type { StreamEvent } from '../../src/resources/inbox/inbox.schemas.ts'

/** A reply whose socket takes writes (fast) or reports a full buffer and never drains (stalled). */
function fakeReply(stalled: boolean) {
  const frames: string[] = []
  const state = { closed: false }
  const raw = Object.assign(new EventEmitter(), {
    writableLength: 0,
    write: (chunk: string) => {
      frames.push(chunk)
      return !stalled
    },
    destroy: () => {
      state.closed = true
    }
  })
  const reply = {
    raw,
    log: { warn: () => {} },
    sse: {
      get isConnected() {
        return !state.closed
      },
      close: () => {
        state.closed = true
      }
    }
  } as unknown as FastifyReply
  return { reply, frames, state, ids: () => [...frames.join('').matchAll(/^id: (\d+)$/gm)].map((match) => match[1]) }
}

// These count events only; the byte bound is tested over a real socket (inbox-stream-limits.test.ts).
const bounds = (maxEvents: number) => ({ maxEvents, maxBytes: 1 << 30 })
const event = (seq: number): StreamEvent => ({
  seq,
  id: `event${seq}`,
  type: 'message-received',
  createdAt: new Date(0).toISOString(),
  payload: { group: { id: 'g' } }
})
const settle = async () => {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve))
}

t.test('a stalled client is disconnected once it falls behind; the others get everything', async (t) => {
  const fast = fakeReply(false)
  const stalled = fakeReply(true)
  const streams = [new ClientStream(fast.reply, bounds(3)), new ClientStream(stalled.reply, bounds(3))]
  for (const stream of streams) stream.resume([])
  for (let seq = 1; seq <= 10; seq++) {
    for (const stream of streams) stream.deliver(event(seq))
    await settle()
  }
  t.same(fast.ids(), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
  t.notOk(fast.state.closed)
  t.ok(stalled.state.closed, 'the stalled client was closed instead of buffering without bound')
  t.ok(streams[1]!.closed)
  t.ok(stalled.ids().length < 10)
})

t.test('live events held during a replay follow it, each once, in order', async (t) => {
  const client = fakeReply(false)
  const stream = new ClientStream(client.reply, bounds(100))
  stream.deliver(event(5))
  stream.deliver(event(6))
  await settle()
  t.same(client.ids(), [], 'nothing is written before the replay')
  stream.resume([event(3), event(4), event(5)])
  await settle()
  t.same(client.ids(), ['3', '4', '5', '6'])
})

t.test('a stream that must end after its replay takes no live events and closes once written', async (t) => {
  const client = fakeReply(false)
  const stream = new ClientStream(client.reply, bounds(2))
  stream.resume([event(1), event(2)])
  stream.closeWhenSent()
  stream.deliver(event(3))
  await settle()
  t.same(client.ids(), ['1', '2'])
  t.ok(client.state.closed)
})
