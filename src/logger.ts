import { pino, type Logger } from 'pino'
import type { Config } from './config.ts'

/** The process's logger (JSON lines), shared by the HTTP app and the job workers. */
export function createLogger(config: Readonly<Config>, stream?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.body.client_secret',
          '*.client_secret',
          '*.clientSecret',
          '*.password',
          '*.authToken'
        ],
        censor: '[redacted]'
      }
    },
    ...(stream ? [stream] : [])
  )
}
