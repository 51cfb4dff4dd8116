import { existsSync } from 'node:fs'
import { chromium } from '@playwright/test'

/** Where a system Chromium or Chrome usually lives. */
const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

/**
 * The Chromium the end-to-end tests drive: CAREKEY_CHROMIUM_PATH if set, else a system
 * Chromium, else Playwright's own browser if it is installed. Never downloads one.
 */
export function resolveChromium(): { executablePath: string | undefined; source: string } {
  const fromEnv = process.env.CAREKEY_CHROMIUM_PATH
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CAREKEY_CHROMIUM_PATH points to ${fromEnv}, which does not exist.`)
    return { executablePath: fromEnv, source: 'CAREKEY_CHROMIUM_PATH' }
  }
  const system = SYSTEM_BROWSERS.find((p) => existsSync(p))
  if (system) return { executablePath: system, source: 'system' }
  let bundled: string | undefined
  try {
    bundled = chromium.executablePath()
  } catch {
    bundled = undefined
  }
  if (bundled && existsSync(bundled)) return { executablePath: undefined, source: 'playwright' }
  throw new Error(
    [
      'No Chromium found for the end-to-end tests.',
      'Install one of:',
      '  - Debian/Ubuntu: sudo apt-get install -y chromium',
      "  - Playwright's own browser (needs internet): npx playwright install chromium",
      'or point CAREKEY_CHROMIUM_PATH at a Chromium or Chrome binary.',
    ].join('\n'),
  )
}

/** Flags for a headless Chromium in CI: no sandbox as root, and no calls home on a closed network. */
export function chromiumArgs(): string[] {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ]
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox')
  return args
}
