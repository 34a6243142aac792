import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface SmtpSink {
  /** PARLEY_SMTP_URL for this server. */
  url: string
  /** Every mail the server accepted, parsed. */
  mails: ParsedMail[]
  /** What the server answered each MAIL FROM and DATA with, in order: e.g. ['MAIL 451', 'MAIL 250', 'DATA 250']. */
  answers: string[]
}

/**
 * A real SMTP server (the smtp-server package) on a free loopback port, closed when the test ends.
 * `refuse` lists, in order, the commands the first sessions are refused at (451, try again later);
 * after that every mail is accepted. Plain SMTP without STARTTLS or AUTH, as a local relay answers.
 */
export async function startSmtpSink(
  t: { teardown: (fn: () => unknown) => void },
  refuse: ReadonlyArray<'MAIL' | 'DATA'> = []
): Promise<SmtpSink> {
  const mails: ParsedMail[] = []
  const answers: string[] = []
  const refusals = [...refuse]
  const temporaryFailure = (command: string) => {
    answers.push(`${command} 451`)
    return Object.assign(new Error('Try again later'), { responseCode: 451 })
  }
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    // No DNS here: the reverse lookup of 127.0.0.1 would only wait for a resolver.
    disableReverseLookup: true,
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (refusals[0] === 'MAIL') {
        refusals.shift()
        callback(temporaryFailure('MAIL'))
        return
      }
      answers.push('MAIL 250')
      callback()
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (refusals[0] === 'DATA') {
          refusals.shift()
          callback(temporaryFailure('DATA'))
          return
        }
        answers.push('DATA 250')
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            mails.push(mail)
            callback()
          },
          (error: Error) => callback(error)
        )
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.server.address() as AddressInfo
  return { url: `smtp://127.0.0.1:${port}`, mails, answers }
}

/** Settings for an app that mails through the sink, retrying after about a second. */
export function smtpEnv(sink: SmtpSink): Record<string, string> {
  return {
    PARLEY_SMTP_URL: sink.url,
    PARLEY_MAIL_FROM: 'Parley <parley@example.com>',
    PARLEY_PUBLIC_URL: 'https://parley.example.com',
    PARLEY_MAIL_RETRY_DELAY_SECONDS: '1'
  }
}
