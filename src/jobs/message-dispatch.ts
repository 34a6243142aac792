import { defineTask } from '../db/job-queue.ts'
import { dispatchMessages, failUndispatched } from '../resources/messages/dispatch/dispatch.service.ts'
import { messageDispatchContract } from './message-dispatch.contract.ts'

const RETRY_LIMIT = 5

/**
 * Hands queued messages to their carriers. A worker sends a heartbeat every few seconds, so the job
 * of a worker that died is retried within heartbeatSeconds (plus PARLEY_QUEUE_SUPERVISE_SECONDS),
 * however long a throttled batch legitimately runs.
 */
export const messageDispatchTask = defineTask({
  ...messageDispatchContract,
  queue: {
    retryLimit: RETRY_LIMIT,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 300,
    heartbeatSeconds: 10,
    expireInSeconds: 3600
  },
  concurrency: (config) => config.messaging.dispatchConcurrency,
  run: async (deps, payload, { retryCount }) => {
    const lastAttempt = retryCount >= RETRY_LIMIT
    let retrying: number
    try {
      retrying = await dispatchMessages(deps, payload, lastAttempt)
    } catch (error) {
      if (lastAttempt) await failUndispatched(deps, payload, 'Dispatch gave up after repeated failures')
      throw error
    }
    if (retrying > 0) throw new Error(`${retrying} message(s) failed retryably; the job is retried with backoff`)
  }
})
