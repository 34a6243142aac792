import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { defineTask, type RunnableTask } from '../plugins/queue.ts'
import { STATUS_REPORTS_TASK } from '../resources/messages/dispatch-queue.ts'
import { applyReports } from '../resources/messages/message-status.ts'

const StatusReportsJob = Type.Object({
  carrier: Type.String(),
  reports: Type.Array(
    Type.Object({
      carrierMessageId: Type.String(),
      status: Type.Enum(['sent', 'delivered', 'undelivered', 'failed']),
      error: Type.Optional(Type.Object({ code: Type.String(), description: Type.String() }))
    })
  )
})

/** Applies status reports a carrier announced in advance (the sandbox's), at the time it named. */
export function messageStatusReportsTask(concurrency: number): RunnableTask {
  return defineTask({
    name: STATUS_REPORTS_TASK,
    queue: { retryLimit: 10, retryDelay: 1, retryBackoff: true, retryDelayMax: 300 },
    concurrency,
    parse: (data) => Value.Parse(StatusReportsJob, data),
    run: async (app, { carrier, reports }) => {
      await app.db.transaction().execute(async (tx) => {
        await applyReports(tx, carrier, reports)
      })
    }
  })
}
