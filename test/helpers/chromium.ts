import { chromium, type BrowserServer } from 'playwright-core'

// Debian's Chromium (apt-get install chromium; .ci/run installs it when missing): tests never
// download a browser. Headless, without a sandbox (CI runs as root), and with nothing of its own
// going to the network. Kept apart from browser.ts, which imports tap, so that scripts/test.ts can
// start the run's browser without becoming a test itself.
export const CHROMIUM_PATH = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run'
]

/** Where scripts/test.ts publishes the run's one Chromium, for every test file's process to connect to. */
export const BROWSER_ENDPOINT_VARIABLE = 'PARLEY_TEST_BROWSER_WS'

/** A Chromium that serves browser tests over a WebSocket: scripts/test.ts starts one per run. */
export function launchBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}
