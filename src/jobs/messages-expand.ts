import { Type } from 'typebox'
import { Value } from 'typebox/value'
import type { MessagingOptions } from '../config.ts'
import { defineTask, type RunnableTask } from '../plugins/queue.ts'
import { EXPAND_TASK } from '../resources/messages/dispatch-queue.ts'
import { expandNextBatch, messagingOf } from '../resources/messages/messages.service.ts'

const ExpandJob = Type.Object({
  accountId: Type.String(),
  jobId: Type.String()
})

/** Writes the messages of a large send batch by batch; each batch commits with the job's cursor. */
export function messagesExpandTask(options: MessagingOptions): RunnableTask {
  return defineTask({
    name: EXPAND_TASK,
    queue: {
      retryLimit: 10,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 60,
      heartbeatSeconds: 10,
      expireInSeconds: 3600
    },
    parse: (data) => Value.Parse(ExpandJob, data),
    run: async (app, { accountId, jobId }) => {
      const messaging = messagingOf(app, options)
      let done = false
      while (!done) done = await expandNextBatch(messaging, accountId, jobId)
    }
  })
}
