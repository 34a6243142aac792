import type { Task } from './db/job-queue.ts'
import type { Deps } from './deps.ts'
import { receiveCarrierEvents } from './resources/messages/carrier-events.service.ts'

/** Starts the carriers' connections (their events enter the message path), the job workers and webhook delivery. */
export async function startBackgroundWork(deps: Deps, tasks: readonly Task[]): Promise<void> {
  for (const name of deps.carriers.names()) {
    const adapter = deps.carriers.get(name)
    await adapter.start?.(async (event) => {
      await receiveCarrierEvents(deps, name, [event])
    })
  }
  await deps.queue.work(deps, tasks)
  deps.webhooks.start()
}
