import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { tasks } from '../../src/jobs/tasks.ts'
import { createTestDatabase } from './database.ts'

interface TestContext {
  teardown: (fn: () => unknown) => void
}

/**
 * A configured carrier besides the sandbox, `twilio-main`, for tests of senders that name one (nothing is
 * sent to it). Every test account may use any number on it (`accounts`), as the installation says so.
 */
export const twilioMainEnv = {
  PARLEY_PUBLIC_URL: 'https://parley.example.com',
  PARLEY_CARRIERS: JSON.stringify({
    'twilio-main': {
      type: 'twilio',
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: 'test-token',
      baseUrl: 'http://127.0.0.1:9',
      accounts: { '*': ['*'] }
    }
  })
}

/**
 * The app on its own fresh database, closed when the test ends. `env` overrides configuration;
 * two instances share one database when given the same DATABASE_URL.
 */
export async function buildTestApp(t: TestContext, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase(t))
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '4',
    PARLEY_JWT_SECRET: 'test-signing-secret-that-is-long-enough-0123456789',
    ...env
  })
  const app = await buildApp(config, { tasks })
  t.teardown(() => app.close())
  await app.ready()
  return app
}
