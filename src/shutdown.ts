import type { BaseLogger } from 'pino'

/** A started process: the HTTP app (src/server.ts) or the worker (scripts/worker.ts). */
export interface Running {
  /** Stops taking work, lets what is in hand finish, and releases connections. */
  close: () => Promise<void>
  log: Pick<BaseLogger, 'info'>
  embedded?: { stop: () => Promise<void> }
}

/**
 * SIGTERM and SIGINT close the process's work (requests and jobs in hand finish first), then the
 * embedded database, then exit 0. Registered before start-up begins: a signal during initdb or
 * migrations waits for start-up to finish and then stops what it started, instead of leaving it running.
 */
export function stopOnSignals(starting: Promise<Running>, name: string): void {
  let closing: Promise<void> | undefined
  const stop = (signal: NodeJS.Signals) => {
    closing ??= starting
      .then(async ({ close, log, embedded }) => {
        log.info({ signal }, `${name} stopping: no new work, finishing what is in hand`)
        await close()
        await embedded?.stop()
        log.info(`${name} stopped`)
      })
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(
            `${name} did not stop cleanly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
          )
          process.exit(1)
        }
      )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}
