import fp from 'fastify-plugin'
import type { Db } from '../db/database.ts'
import { closeDeps, type Deps } from '../deps.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The plain dependencies services and tasks take (src/deps.ts). */
    deps: Deps
    /** deps.db, which most routes need alone. */
    db: Db
  }
}

/** Hands the app its dependencies and closes them (jobs, carriers, then the pool) after the last request. */
export const depsPlugin = fp<{ deps: Deps }>(
  async (app, { deps }) => {
    app.decorate('deps', deps)
    app.decorate('db', deps.db)
    app.addHook('onClose', async () => {
      await closeDeps(deps)
    })
  },
  { name: 'deps' }
)
