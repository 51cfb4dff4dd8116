import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { chromiumArgs, resolveChromium } from '../../scripts/lib/browser.ts'

/** How much slower than this machine a phone's CPU is taken to be (Lighthouse's mobile profile uses the same). */
export const PHONE_CPU_SLOWDOWN = 4
/** The round trip a phone on a mobile network adds to every request, in milliseconds. */
export const PHONE_LATENCY_MS = 100

/** The unit text of a timing row measured on the phone profile, in a browser started for the run. */
export function phoneUnit({ latency = false } = {}): string {
  return `ms, ${PHONE_CPU_SLOWDOWN}x CPU${latency ? `, ${PHONE_LATENCY_MS} ms latency` : ''}, fresh browser`
}

/**
 * A Chromium process of its own for one run, headless, as the end-to-end tests start it
 * (`args` adds flags such as a fake camera). Close it when the run is over.
 */
export function freshBrowser(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: resolveChromium().executablePath, args: [...chromiumArgs(), ...args], headless: true })
}

/**
 * A Chromium process of its own on a profile folder kept on disk between runs (IndexedDB, the
 * service worker, the HTTP cache): a patient's browser opened again.
 */
export function freshBrowserOnProfile(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: resolveChromium().executablePath, args: chromiumArgs(), headless: true })
}

/**
 * Puts a page on the phone profile: its CPU PHONE_CPU_SLOWDOWN times slower (Chrome DevTools'
 * CPU throttling) and, with `latency`, PHONE_LATENCY_MS more on every request. Resolves to a
 * function that gives the page its full speed back.
 */
export async function applyPhoneProfile(page: Page, { latency = false } = {}): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE_CPU_SLOWDOWN })
  if (latency) {
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: PHONE_LATENCY_MS, downloadThroughput: -1, uploadThroughput: -1 })
  }
  return async () => {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
    if (latency) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  }
}
