import type { Config } from '../config.ts'
import type { RunnableTask } from '../plugins/queue.ts'
import { contactsImportTask } from './contacts-import.ts'
import { housekeepingTask } from './housekeeping.ts'
import { messageDispatchTask } from './message-dispatch.ts'
import { messageStatusReportsTask } from './message-status-reports.ts'
import { messagesExpandTask } from './messages-expand.ts'

/** Every background task; the queue plugin creates their queues and, in worker processes, runs them. */
export function tasks(config: Readonly<Config>): RunnableTask[] {
  return [
    contactsImportTask(config.imports),
    messageDispatchTask(config.messaging.dispatchConcurrency),
    messageStatusReportsTask(config.messaging.dispatchConcurrency),
    messagesExpandTask(config.messaging),
    housekeepingTask()
  ]
}
