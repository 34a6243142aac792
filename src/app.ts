import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { carrierCallbackRoutes } from './carriers/callbacks.routes.ts'
import { sandboxRoutes } from './carriers/sandbox/sandbox.routes.ts'
import { SandboxMessage } from './carriers/sandbox/sandbox.schemas.ts'
import type { Config } from './config.ts'
import type { Db } from './db/database.ts'
import type { Task } from './db/job-queue.ts'
import { closeDeps, createDeps, type Deps } from './deps.ts'
import { createLogger } from './logger.ts'
import { authPlugin } from './plugins/auth.ts'
import { depsPlugin } from './plugins/app-deps.ts'
import { clientErrorHandler, errorHandlerPlugin, frameworkErrors } from './plugins/error-handler.ts'
import { inputGuardPlugin } from './plugins/input-guard.ts'
import { openapiPlugin } from './plugins/openapi.ts'
import { queuePlugin } from './plugins/queue.ts'
import { rateLimitPlugin } from './plugins/rate-limit.ts'
import { attributeRoutes } from './resources/attributes/attributes.routes.ts'
import { Attribute } from './resources/attributes/attributes.schemas.ts'
import { contactStateRoutes } from './resources/contacts/contact-state.routes.ts'
import { contactRoutes } from './resources/contacts/contacts.routes.ts'
import { conversationRoutes } from './resources/conversations/conversations.routes.ts'
import { Conversation } from './resources/conversations/conversations.schemas.ts'
import { inboundRoutes } from './resources/inbound/inbound.routes.ts'
import { inboxRoutes } from './resources/inbox/inbox.routes.ts'
import { receiveCarrierEvents } from './resources/messages/carrier-events.service.ts'
import { carrierRoutes } from './resources/carriers/carriers.routes.ts'
import { CarrierInfo } from './resources/carriers/carriers.schemas.ts'
import { messageRoutes } from './resources/messages/messages.routes.ts'
import { InvalidRecipient, Message, SendJob, SendMessagesResult } from './resources/messages/messages.schemas.ts'
import { Contact, ContactError, ContactsResponse, Tag } from './resources/contacts/contacts.schemas.ts'
import { ContactImport, ContactUploadResponse, ContactUploadResult } from './resources/contacts/imports.schemas.ts'
import { integrationRoutes } from './resources/integrations/integrations.routes.ts'
import { SyncResult } from './resources/integrations/integrations.schemas.ts'
import { accountRoutes } from './resources/accounts/accounts.routes.ts'
import { Account } from './resources/accounts/accounts.schemas.ts'
import { storedSigningSecret } from './resources/accounts/signing-secret.repository.ts'
import { credentialRoutes } from './resources/credentials/credentials.routes.ts'
import { ApiCredential, NewApiCredential } from './resources/credentials/credentials.schemas.ts'
import { groupRoutes } from './resources/groups/groups.routes.ts'
import { Group, GroupSummary, OfficeHours } from './resources/groups/groups.schemas.ts'
import { healthRoutes } from './resources/health/health.routes.ts'
import { tokenRoutes } from './resources/oauth/token.routes.ts'
import { senderRoutes } from './resources/senders/senders.routes.ts'
import { Sender } from './resources/senders/senders.schemas.ts'
import { campaignRoutes } from './resources/campaigns/campaigns.routes.ts'
import { Campaign, CampaignJob } from './resources/campaigns/campaigns.schemas.ts'
import { sharedFileLinkRoutes, shareFileRoutes } from './resources/files/files.routes.ts'
import { ShareFileResult } from './resources/files/files.schemas.ts'
import { listRoutes } from './resources/lists/lists.routes.ts'
import { mailRoutes } from './resources/mail/mail.routes.ts'
import { Mail } from './resources/mail/mail.schemas.ts'
import { List, ListFilter } from './resources/lists/lists.schemas.ts'
import { templateRoutes } from './resources/templates/templates.routes.ts'
import { Template, TemplateMedia, TemplateRequest } from './resources/templates/templates.schemas.ts'
import { userRoutes } from './resources/users/users.routes.ts'
import { User } from './resources/users/users.schemas.ts'
import { webhookRoutes } from './resources/webhooks/webhooks.routes.ts'
import { Webhook, WebhookDelivery, WebhookDetail, WebhookWithSecret } from './resources/webhooks/webhooks.schemas.ts'
import { VerifiedSecrets } from './lib/verified-secrets.ts'
import { newId } from './shared/ids.ts'

// Named components of the OpenAPI document, registered once so routes can reference them.
const resourceSchemas = [
  Account,
  GroupSummary,
  OfficeHours,
  Group,
  Sender,
  User,
  ApiCredential,
  NewApiCredential,
  TemplateMedia,
  Template,
  TemplateRequest,
  SandboxMessage,
  Attribute,
  Tag,
  ContactError,
  Contact,
  ContactsResponse,
  ContactUploadResult,
  ContactUploadResponse,
  ContactImport,
  ListFilter,
  List,
  CampaignJob,
  Campaign,
  ShareFileResult,
  SyncResult,
  Message,
  InvalidRecipient,
  SendMessagesResult,
  SendJob,
  Conversation,
  CarrierInfo,
  Webhook,
  WebhookDetail,
  WebhookWithSecret,
  WebhookDelivery,
  Mail
]

export interface AppOptions {
  /** The background tasks (src/jobs/tasks.ts), handed in by the entry point: the app imports no task. */
  tasks: readonly Task[]
  /** A database handle to use instead of one built from config.databaseUrl (the app still closes it). */
  db?: Db
  /** Pino destination override, e.g. to capture logs in tests. */
  logStream?: NodeJS.WritableStream
}

export async function buildApp(config: Readonly<Config>, options: AppOptions): Promise<FastifyInstance> {
  const log = createLogger(config, options.logStream)
  const deps = await createDeps(config, { db: options.db, log, tasks: options.tasks })
  try {
    return await register(config, deps, options.tasks)
  } catch (error) {
    await closeDeps(deps)
    throw error
  }
}

async function register(config: Readonly<Config>, deps: Deps, tasks: readonly Task[]): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.log
  const app = Fastify({
    loggerInstance,
    requestIdHeader: 'x-request-id',
    genReqId: () => newId(),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustedProxies(config.trustProxy),
    frameworkErrors,
    clientErrorHandler,
    ajv: {
      customOptions: {
        coerceTypes: 'array',
        useDefaults: true,
        removeAdditional: true,
        allErrors: false,
        // `?limit=Infinity` or `1e309` coerce to a non-finite number: refused, not passed to SQL.
        strictNumbers: true
      }
    }
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(errorHandlerPlugin)
  await app.register(depsPlugin, { deps })
  await app.register(queuePlugin, { runWorkers: config.workers, tasks })
  await app.register(inputGuardPlugin)
  await app.register(openapiPlugin)
  for (const schema of resourceSchemas) app.addSchema(schema)
  const verifiedSecrets = new VerifiedSecrets()
  await app.register(authPlugin, {
    secret: config.jwtSecret ?? (await storedSigningSecret(deps.db)),
    tokenTtlSeconds: config.tokenTtlSeconds,
    cacheMs: config.credentialCacheMs,
    verifiedSecrets
  })
  await app.register(carrierCallbackRoutes, {
    publicUrl: config.publicUrl,
    onEvents: async (carrier, events) => {
      await receiveCarrierEvents(deps, carrier, events)
    }
  })
  await app.register(rateLimitPlugin, {
    ...config.rateLimit,
    anonymous: config.anonymousRateLimit,
    fileDownloads: config.fileDownloadRateLimit,
    redisUrl: config.redisUrl
  })

  await app.register(healthRoutes)
  await app.register(sharedFileLinkRoutes)
  // Only the token endpoint takes a form (RFC 6749); elsewhere a form body is a 415, not a half-read object.
  await app.register(async (oauth) => {
    await oauth.register(formbody)
    await oauth.register(tokenRoutes, {
      tokenTtlSeconds: config.tokenTtlSeconds,
      rateLimit: config.rateLimit,
      failures: config.tokenFailureLimits,
      verifiedSecrets
    })
  })

  // Everything under /v1/accounts/{accountId} needs a token for that account.
  await app.register(async (v1) => {
    v1.addHook('onRequest', async (request, reply) => {
      try {
        await v1.authenticate(request, reply)
      } catch (error) {
        // A failed authentication counts against the caller's address, so guessing tokens is limited.
        await v1.limitAnonymous(request, reply)
        throw error
      }
    })
    v1.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ sakari_auth: [] }] }
    })
    await v1.register(accountRoutes, { defaultHelpText: config.messaging.helpText })
    await v1.register(userRoutes)
    await v1.register(senderRoutes)
    await v1.register(groupRoutes)
    await v1.register(credentialRoutes)
    await v1.register(templateRoutes)
    await v1.register(sandboxRoutes)
    await v1.register(attributeRoutes)
    await v1.register(contactRoutes, { imports: config.imports })
    await v1.register(contactStateRoutes)
    await v1.register(listRoutes)
    await v1.register(campaignRoutes, { importMaxBytes: config.imports.maxBytes })
    await v1.register(shareFileRoutes, { limits: config.sharedFiles, publicUrl: config.publicUrl })
    await v1.register(integrationRoutes)
    await v1.register(messageRoutes)
    await v1.register(conversationRoutes)
    await v1.register(inboundRoutes)
    await v1.register(inboxRoutes)
    await v1.register(carrierRoutes)
    await v1.register(webhookRoutes, { allowPrivate: config.webhooks.allowPrivate })
    await v1.register(mailRoutes)
  })

  return app
}

/** A count of proxies means: believe that many hops of X-Forwarded-For, nearest first. */
function trustedProxies(setting: Config['trustProxy']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting
}
