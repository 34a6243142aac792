import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import tap from 'tap'
import { BROWSER_ENDPOINT_VARIABLE, CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts'

interface TestContext {
  teardown: (fn: () => unknown) => void
}

let browser: Promise<Browser> | undefined

/**
 * The run's Chromium: the one scripts/test.ts started (all test files share it), or, when a file
 * runs by itself under tap, one launched for this process. Either is let go when the file's tests end.
 */
function sharedBrowser(): Promise<Browser> {
  if (!browser) {
    const endpoint = process.env[BROWSER_ENDPOINT_VARIABLE]
    if (!endpoint && !existsSync(CHROMIUM_PATH))
      throw new Error(`${CHROMIUM_PATH} is missing: apt-get update && apt-get install -y chromium`)
    browser = endpoint
      ? chromium.connect(endpoint)
      : chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
    const opened = browser
    tap.teardown(async () => {
      browser = undefined
      await (await opened).close()
    })
  }
  return browser
}

/** A fresh browser context (one person's cookies and storage) for a test, closed when it ends. */
export async function browserContext(t: TestContext): Promise<BrowserContext> {
  const context = await (await sharedBrowser()).newContext()
  t.teardown(() => context.close())
  return context
}
