import { campaignsScheduleTask } from './campaigns-schedule.ts'
import { contactsImportTask } from './contacts-import.ts'
import { housekeepingTask } from './housekeeping.ts'
import { mailSendTask } from './mail-send.ts'
import { messageDispatchTask } from './message-dispatch.ts'
import { messageStatusReportsTask } from './message-status-reports.ts'
import { messagesExpandTask } from './messages-expand.ts'
import type { Task } from '../db/job-queue.ts'
import { webhookHousekeepingTask } from './webhook-housekeeping.ts'

/**
 * Every background task. The entry points (src/server.ts, src/worker.ts, scripts, the tests' app
 * helper) hand this list to the queue, which creates their queues; worker processes run them.
 */
export const tasks: readonly Task[] = [
  contactsImportTask,
  messageDispatchTask,
  messageStatusReportsTask,
  messagesExpandTask,
  housekeepingTask,
  webhookHousekeepingTask,
  campaignsScheduleTask,
  mailSendTask
]
