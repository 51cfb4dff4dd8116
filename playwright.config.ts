import { defineConfig, devices } from '@playwright/test'
import { chromiumArgs, resolveChromium } from './scripts/lib/browser.ts'

const browser = resolveChromium()

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: process.env.CAREKEY_E2E_REPORT_DIR ?? 'playwright-report' }]],
  // Traces, screenshots and other artifacts; CAREKEY_E2E_OUTPUT_DIR keeps parallel runs apart.
  outputDir: process.env.CAREKEY_E2E_OUTPUT_DIR ?? 'test-results',
  use: {
    // Set by the global setup, which starts the stack on free ports.
    baseURL: process.env.CAREKEY_E2E_BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: browser.executablePath, args: chromiumArgs() },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
})
