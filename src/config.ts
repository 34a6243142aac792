import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { readCarrierSettings, type CarrierSettings } from './carriers/carrier-settings.ts'
import { pricesWithOverrides, type PriceTable } from './lib/pricing.ts'
import { countSegments, overLengthLimit } from './lib/segments.ts'
import { parsePhone } from './shared/phone.ts'

// The environment as Parley reads it. Every variable is documented in the README's configuration table.
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  PARLEY_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  PARLEY_JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  PARLEY_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 86400, default: 3600 }),
  PARLEY_CREDENTIAL_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 60, default: 5 }),
  PARLEY_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600 }),
  PARLEY_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  PARLEY_TOKEN_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 20 }),
  PARLEY_TOKEN_ADDRESS_FAILURE_MAX: Type.Integer({ minimum: 1, default: 100 }),
  PARLEY_ANONYMOUS_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 120 }),
  PARLEY_TRUST_PROXY: Type.Optional(
    Type.String({ pattern: '^(\\d{1,2}|[0-9A-Za-z.:/]+(\\s*,\\s*[0-9A-Za-z.:/]+)*)$' })
  ),
  PARLEY_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1048576 }),
  PARLEY_BOOTSTRAP_ACCOUNT_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  PARLEY_BOOTSTRAP_CLIENT_ID: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
  PARLEY_BOOTSTRAP_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
  PARLEY_BOOTSTRAP_ADMIN_EMAIL: Type.String({ format: 'email', default: 'admin@parley.local' }),
  PARLEY_BOOTSTRAP_SENDER_NUMBER: Type.Optional(Type.String({ pattern: '^\\+[0-9]{8,15}$' })),
  PARLEY_DEMO_SENDER: Type.Boolean({ default: true }),
  PARLEY_PRICES: Type.Optional(Type.String({ minLength: 1 })),
  PARLEY_SANDBOX_DELIVERY_DELAY_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 1000 }),
  PARLEY_WORKERS: Type.Boolean({ default: true }),
  PARLEY_IMPORT_SYNC_MAX_BYTES: Type.Integer({ minimum: 0, default: 1048576 }),
  PARLEY_IMPORT_SYNC_MAX_ROWS: Type.Integer({ minimum: 0, default: 5000 }),
  PARLEY_IMPORT_MAX_BYTES: Type.Integer({ minimum: 1024, default: 2147483648 }),
  PARLEY_IMPORT_MAX_ROW_BYTES: Type.Integer({ minimum: 1024, default: 65536 }),
  PARLEY_IMPORT_BATCH_ROWS: Type.Integer({ minimum: 1, maximum: 20000, default: 2000 }),
  PARLEY_SEND_SYNC_MAX_RECIPIENTS: Type.Integer({ minimum: 0, default: 500 }),
  PARLEY_SEND_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 20000, default: 5000 }),
  PARLEY_DISPATCH_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }),
  PARLEY_DISPATCH_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  PARLEY_HELP_TEXT: Type.String({
    minLength: 1,
    maxLength: 1000,
    default: 'Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.'
  }),
  PARLEY_SHARED_FILE_MAX_BYTES: Type.Integer({ minimum: 1024, maximum: 104857600, default: 5242880 }),
  PARLEY_SHARED_FILE_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 31536000, default: 604800 }),
  PARLEY_SHARED_FILE_QUOTA_BYTES: Type.Integer({ minimum: 1024, default: 104857600 }),
  PARLEY_SHARED_FILE_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 300 }),
  PARLEY_QUEUE_SUPERVISE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  PARLEY_WEBHOOKS_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  PARLEY_WEBHOOKS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  // Seconds between attempts: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, about 27 hours in all.
  PARLEY_WEBHOOKS_RETRY_SCHEDULE: Type.String({
    pattern: '^\\s*\\d+(\\.\\d+)?(\\s*,\\s*\\d+(\\.\\d+)?)*\\s*$',
    default: '5,300,1800,7200,18000,36000,36000'
  }),
  PARLEY_WEBHOOKS_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1000, default: 16 }),
  PARLEY_WEBHOOKS_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 250 }),
  PARLEY_LOCK_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 120 }),
  PARLEY_SSE_HEARTBEAT_SECONDS: Type.Integer({ minimum: 1, maximum: 300, default: 15 }),
  PARLEY_SSE_CLIENT_BUFFER: Type.Integer({ minimum: 1, maximum: 100000, default: 1000 }),
  // Checked apart (src/carriers/carrier-settings.ts), never echoed: they hold passwords and tokens.
  PARLEY_CARRIERS: Type.Optional(Type.String()),
  PARLEY_CARRIERS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  PARLEY_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^/?#]+(/[^?#]*)?$' }))
})

type Env = Static<typeof EnvSchema>

export type LogLevel = Env['LOG_LEVEL']

export interface BootstrapCredential {
  accountId: string
  clientId: string
  clientSecret: string
  adminEmail: string
  /** E.164; absent means the first free fictional number (src/resources/senders/demo-sender.ts). */
  senderNumber?: string
}

export interface Config {
  port: number
  host: string
  logLevel: LogLevel
  /** Absent means: run an embedded PostgreSQL in dataDir. */
  databaseUrl?: string
  databasePoolSize: number
  /** The embedded PostgreSQL's folder; absent means `.data`, or a folder the cluster's user can enter (src/db/embedded.ts). */
  dataDir?: string
  redisUrl?: string
  /** Absent means: use the signing secret stored in the database (created once, shared by every instance). */
  jwtSecret?: string
  tokenTtlSeconds: number
  credentialCacheMs: number
  rateLimit: { max: number; windowMs: number }
  /** Wrong client secrets a minute, per client id and per address (brute force). */
  tokenFailureLimits: { perClientId: number; perAddress: number; windowMs: number }
  /** Requests without a valid token (failed authentication, unknown routes, /ready), per client address. */
  anonymousRateLimit: { max: number; windowMs: number }
  /** Downloads of shared files (GET /files/{token}) per client address. */
  fileDownloadRateLimit: { max: number; windowMs: number }
  /**
   * Which X-Forwarded-For hops to believe: false (the default) believes none, a number that many
   * proxies in front, a list only those addresses or ranges.
   */
  trustProxy: false | number | string[]
  bodyLimitBytes: number
  bootstrap?: BootstrapCredential
  /** New accounts (bootstrap, demo, admin CLI) start with an active sandbox sender; off for production. */
  demoSender: boolean
  /** Per-segment rates: the defaults of src/lib/pricing.ts with PARLEY_PRICES laid over them. */
  prices: PriceTable
  /** How long the sandbox carrier waits between reporting a message sent and delivered. */
  sandboxDeliveryDelayMs: number
  /** Whether this process runs background job workers (a web-only instance can leave them to `npm run worker`). */
  workers: boolean
  imports: ImportLimits
  messaging: MessagingOptions
  sharedFiles: SharedFileLimits
  /** How often pg-boss looks for jobs whose worker died (missed heartbeats) and retries them. */
  queueSuperviseSeconds: number
  /** Where carriers reach Parley's callback routes, without a trailing slash. */
  publicUrl?: string
  inbox: InboxOptions
  /** The configured carriers (besides the sandbox) by name. */
  carriers: Record<string, CarrierSettings>
  webhooks: WebhookOptions
}

export interface WebhookOptions {
  /** Deliver to private, loopback and link-local addresses too: local development and tests only. */
  allowPrivate: boolean
  /** An attempt that has not answered by then failed (and is retried). */
  timeoutMs: number
  /** Milliseconds before each retry; after the last one a delivery is given up as failed. */
  retryDelaysMs: number[]
  /** Subscriptions one process delivers to at once (each has at most one delivery in flight). */
  concurrency: number
  /** How often an idle process looks for deliveries that became due. */
  pollMs: number
}

export interface MessagingOptions {
  /** Sends whose filters match more contacts are expanded by a background job. */
  syncMaxRecipients: number
  /** Recipients written per transaction by the background expansion. */
  sendBatchSize: number
  /** Messages per dispatch job. */
  dispatchBatchSize: number
  /** Dispatch jobs one process runs at once. */
  dispatchConcurrency: number
  /** The answer to HELP and INFO. */
  helpText: string
  prices: PriceTable
}

export interface SharedFileLimits {
  /** Larger files are refused: carriers commonly take MMS media up to 5 MB. */
  maxBytes: number
  /** How long a shared file's link works. */
  ttlSeconds: number
  /** The most bytes an account's unexpired shared files may hold together. */
  quotaBytes: number
}

export interface InboxOptions {
  /** A conversation lock lapses this long after its holder's last activity. */
  lockSeconds: number
  /** How often a live event stream writes a comment line, so proxies keep it open. */
  sseHeartbeatMs: number
  /** Events waiting for one slow stream client before it is disconnected. */
  sseClientBuffer: number
}

export interface ImportLimits {
  /** Uploads up to both sizes are imported during the request; larger ones become a background job. */
  syncMaxBytes: number
  syncMaxRows: number
  maxBytes: number
  maxRowBytes: number
  batchRows: number
}

export class ConfigError extends Error {
  readonly problems: string[]

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

const BOOTSTRAP_KEYS = [
  'PARLEY_BOOTSTRAP_ACCOUNT_ID',
  'PARLEY_BOOTSTRAP_CLIENT_ID',
  'PARLEY_BOOTSTRAP_CLIENT_SECRET'
] as const

export function loadConfig(source: Record<string, string | undefined>): Readonly<Config> {
  const known: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key]
    // An empty variable is treated as unset, as shells and compose files often produce them.
    if (value !== undefined && value !== '') known[key] = value
  }
  const env = Value.Default(EnvSchema, Value.Convert(EnvSchema, known)) as Record<string, unknown>
  if (!Value.Check(EnvSchema, env)) {
    // One line per variable, with the first reason it fails.
    const problems = Object.entries(EnvSchema.properties).flatMap(([key, schema]) => {
      if (env[key] === undefined || Value.Check(schema, env[key])) return []
      const [first] = Value.Errors(schema, env[key])
      return [`${key}: ${first?.message ?? 'is invalid'} (got ${JSON.stringify(known[key])})`]
    })
    throw new ConfigError(problems)
  }
  const valid = env as Env

  const publicUrl = valid.PARLEY_PUBLIC_URL?.replace(/\/+$/, '')
  const carrierSettings = readCarrierSettings({ ...valid, publicUrl })
  if (carrierSettings.problems.length > 0) throw new ConfigError(carrierSettings.problems)

  const givenBootstrap = BOOTSTRAP_KEYS.filter((key) => valid[key] !== undefined)
  if (givenBootstrap.length > 0 && givenBootstrap.length < BOOTSTRAP_KEYS.length) {
    const missing = BOOTSTRAP_KEYS.filter((key) => valid[key] === undefined)
    throw new ConfigError([`${missing.join(', ')}: must be set together with ${givenBootstrap.join(', ')}`])
  }

  const helpTextTooLong = overLengthLimit(countSegments(valid.PARLEY_HELP_TEXT).segments)
  if (helpTextTooLong) throw new ConfigError([`PARLEY_HELP_TEXT: ${helpTextTooLong}`])

  const senderNumber = valid.PARLEY_BOOTSTRAP_SENDER_NUMBER
  if (senderNumber !== undefined && !parsePhone(senderNumber))
    throw new ConfigError([`PARLEY_BOOTSTRAP_SENDER_NUMBER: ${senderNumber} is not a possible phone number`])

  const prices = parsePrices(valid.PARLEY_PRICES)
  return Object.freeze({
    port: valid.PORT,
    host: valid.HOST,
    logLevel: valid.LOG_LEVEL,
    databaseUrl: valid.DATABASE_URL,
    databasePoolSize: valid.DATABASE_POOL_SIZE,
    dataDir: valid.PARLEY_DATA_DIR,
    redisUrl: valid.REDIS_URL,
    jwtSecret: valid.PARLEY_JWT_SECRET,
    tokenTtlSeconds: valid.PARLEY_TOKEN_TTL_SECONDS,
    credentialCacheMs: valid.PARLEY_CREDENTIAL_CACHE_SECONDS * 1000,
    rateLimit: { max: valid.PARLEY_RATE_LIMIT_MAX, windowMs: valid.PARLEY_RATE_LIMIT_WINDOW_SECONDS * 1000 },
    tokenFailureLimits: {
      perClientId: valid.PARLEY_TOKEN_RATE_LIMIT_MAX,
      perAddress: valid.PARLEY_TOKEN_ADDRESS_FAILURE_MAX,
      windowMs: 60_000
    },
    anonymousRateLimit: {
      max: valid.PARLEY_ANONYMOUS_RATE_LIMIT_MAX,
      windowMs: valid.PARLEY_RATE_LIMIT_WINDOW_SECONDS * 1000
    },
    fileDownloadRateLimit: {
      max: valid.PARLEY_SHARED_FILE_RATE_LIMIT_MAX,
      windowMs: valid.PARLEY_RATE_LIMIT_WINDOW_SECONDS * 1000
    },
    trustProxy: parseTrustProxy(valid.PARLEY_TRUST_PROXY),
    bodyLimitBytes: valid.PARLEY_BODY_LIMIT_BYTES,
    prices,
    sandboxDeliveryDelayMs: valid.PARLEY_SANDBOX_DELIVERY_DELAY_MS,
    workers: valid.PARLEY_WORKERS,
    imports: {
      syncMaxBytes: valid.PARLEY_IMPORT_SYNC_MAX_BYTES,
      syncMaxRows: valid.PARLEY_IMPORT_SYNC_MAX_ROWS,
      maxBytes: valid.PARLEY_IMPORT_MAX_BYTES,
      maxRowBytes: valid.PARLEY_IMPORT_MAX_ROW_BYTES,
      batchRows: valid.PARLEY_IMPORT_BATCH_ROWS
    },
    messaging: {
      syncMaxRecipients: valid.PARLEY_SEND_SYNC_MAX_RECIPIENTS,
      sendBatchSize: valid.PARLEY_SEND_BATCH_SIZE,
      dispatchBatchSize: valid.PARLEY_DISPATCH_BATCH_SIZE,
      dispatchConcurrency: valid.PARLEY_DISPATCH_CONCURRENCY,
      helpText: valid.PARLEY_HELP_TEXT,
      prices
    },
    sharedFiles: {
      maxBytes: valid.PARLEY_SHARED_FILE_MAX_BYTES,
      ttlSeconds: valid.PARLEY_SHARED_FILE_TTL_SECONDS,
      quotaBytes: valid.PARLEY_SHARED_FILE_QUOTA_BYTES
    },
    queueSuperviseSeconds: valid.PARLEY_QUEUE_SUPERVISE_SECONDS,
    inbox: {
      lockSeconds: valid.PARLEY_LOCK_SECONDS,
      sseHeartbeatMs: valid.PARLEY_SSE_HEARTBEAT_SECONDS * 1000,
      sseClientBuffer: valid.PARLEY_SSE_CLIENT_BUFFER
    },
    demoSender: valid.PARLEY_DEMO_SENDER,
    publicUrl,
    carriers: carrierSettings.carriers,
    webhooks: {
      allowPrivate: valid.PARLEY_WEBHOOKS_ALLOW_PRIVATE,
      timeoutMs: valid.PARLEY_WEBHOOKS_TIMEOUT_MS,
      retryDelaysMs: valid.PARLEY_WEBHOOKS_RETRY_SCHEDULE.split(',').map((seconds) => Number(seconds) * 1000),
      concurrency: valid.PARLEY_WEBHOOKS_CONCURRENCY,
      pollMs: valid.PARLEY_WEBHOOKS_POLL_MS
    },
    bootstrap:
      givenBootstrap.length === 0
        ? undefined
        : {
            accountId: valid.PARLEY_BOOTSTRAP_ACCOUNT_ID as string,
            clientId: valid.PARLEY_BOOTSTRAP_CLIENT_ID as string,
            clientSecret: valid.PARLEY_BOOTSTRAP_CLIENT_SECRET as string,
            adminEmail: valid.PARLEY_BOOTSTRAP_ADMIN_EMAIL,
            senderNumber
          }
  })
}

function parseTrustProxy(value: string | undefined): false | number | string[] {
  if (value === undefined) return false
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value)
  return value.split(',').map((address) => address.trim())
}

function parsePrices(json: string | undefined): PriceTable {
  try {
    return pricesWithOverrides(json)
  } catch (error) {
    throw new ConfigError([`PARLEY_PRICES: ${(error as Error).message}`])
  }
}

/** loadConfig for a command's entry point: a bad environment prints one line per problem and exits 1. */
export function loadConfigOrExit(source: Record<string, string | undefined>): Readonly<Config> {
  try {
    return loadConfig(source)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
}
