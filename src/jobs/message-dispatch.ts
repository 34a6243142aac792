import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { defineTask, type RunnableTask } from '../plugins/queue.ts'
import { dispatchMessages, failUndispatched } from '../resources/messages/dispatch.ts'
import { DISPATCH_TASK } from '../resources/messages/dispatch-queue.ts'

const DispatchJob = Type.Object({
  accountId: Type.String(),
  messageIds: Type.Array(Type.String(), { minItems: 1 })
})

const RETRY_LIMIT = 5

/**
 * Hands queued messages to their carriers. A worker sends a heartbeat every few seconds, so the job
 * of a worker that died is retried within heartbeatSeconds (plus PARLEY_QUEUE_SUPERVISE_SECONDS),
 * however long a throttled batch legitimately runs.
 */
export function messageDispatchTask(concurrency: number): RunnableTask {
  return defineTask({
    name: DISPATCH_TASK,
    queue: {
      retryLimit: RETRY_LIMIT,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 300,
      heartbeatSeconds: 10,
      expireInSeconds: 3600
    },
    concurrency,
    parse: (data) => Value.Parse(DispatchJob, data),
    run: async (app, job, { retryCount }) => {
      const dispatcher = { db: app.db, boss: app.queue, carriers: app.carriers }
      const lastAttempt = retryCount >= RETRY_LIMIT
      let retrying: number
      try {
        retrying = await dispatchMessages(dispatcher, job, lastAttempt)
      } catch (error) {
        if (lastAttempt) await failUndispatched(dispatcher, job, 'Dispatch gave up after repeated failures')
        throw error
      }
      if (retrying > 0) throw new Error(`${retrying} message(s) failed retryably; the job is retried with backoff`)
    }
  })
}
