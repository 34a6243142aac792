import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.ts'
import { createDb } from './db/connect.ts'
import type { Db } from './db/database.ts'
import { authPlugin } from './plugins/auth.ts'
import { databasePlugin } from './plugins/database.ts'
import { errorHandlerPlugin } from './plugins/error-handler.ts'
import { openapiPlugin } from './plugins/openapi.ts'
import { rateLimitPlugin } from './plugins/rate-limit.ts'
import { accountRoutes } from './resources/accounts/accounts.routes.ts'
import { Account } from './resources/accounts/accounts.schemas.ts'
import { storedSigningSecret } from './resources/accounts/signing-secret.ts'
import { credentialRoutes } from './resources/credentials/credentials.routes.ts'
import { ApiCredential, NewApiCredential } from './resources/credentials/credentials.schemas.ts'
import { healthRoutes } from './resources/health/health.routes.ts'
import { tokenRoutes } from './resources/oauth/token.routes.ts'
import { userRoutes } from './resources/users/users.routes.ts'
import { User } from './resources/users/users.schemas.ts'
import { newId } from './shared/ids.ts'

// Named components of the OpenAPI document, registered once so routes can reference them.
const resourceSchemas = [Account, User, ApiCredential, NewApiCredential]

export interface AppOptions {
  /** A database handle to use instead of one built from config.databaseUrl (the app still closes it). */
  db?: Db
  /** Pino destination override, e.g. to capture logs in tests. */
  logStream?: NodeJS.WritableStream
}

export async function buildApp (config: Readonly<Config>, options: AppOptions = {}): Promise<FastifyInstance> {
  const db = options.db ?? createDb(requireDatabaseUrl(config), config.databasePoolSize)

  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body.client_secret', '*.client_secret', '*.clientSecret', '*.password'],
        censor: '[redacted]'
      }
    },
    requestIdHeader: 'x-request-id',
    genReqId: () => newId(),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: true,
    ajv: { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false } }
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addHook('onSend', async (request, reply) => { reply.header('x-request-id', request.id) })

  await app.register(errorHandlerPlugin)
  await app.register(databasePlugin, { db })
  await app.register(formbody)
  await app.register(openapiPlugin)
  for (const schema of resourceSchemas) app.addSchema(schema)
  await app.register(authPlugin, {
    secret: config.jwtSecret ?? await storedSigningSecret(db),
    tokenTtlSeconds: config.tokenTtlSeconds,
    cacheMs: config.credentialCacheMs
  })
  await app.register(rateLimitPlugin, { ...config.rateLimit, redisUrl: config.redisUrl })

  await app.register(healthRoutes)
  await app.register(tokenRoutes, { tokenTtlSeconds: config.tokenTtlSeconds, rateLimit: config.tokenRateLimit })

  // Everything under /v1/accounts/{accountId} needs a token for that account.
  await app.register(async (v1) => {
    v1.addHook('onRequest', v1.authenticate)
    await v1.register(accountRoutes)
    await v1.register(userRoutes)
    await v1.register(credentialRoutes)
  })

  return app
}

function requireDatabaseUrl (config: Readonly<Config>): string {
  if (!config.databaseUrl) throw new Error('buildApp needs config.databaseUrl; src/server.ts starts the embedded database first')
  return config.databaseUrl
}
