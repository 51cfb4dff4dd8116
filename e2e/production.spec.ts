import { createTestShare, e2eStack } from '../scripts/lib/shares.ts'
import { expect, test } from './support/fixtures.ts'

// The global setup serves the built app and the share host from `npm start`'s server, with its
// headers: these tests check what those headers do in a real browser.

const CLINICIAN = 'Dr. Ada Lovelace, Riverside Clinic'

/** `localhost` and `127.0.0.1` are two origins on one server: a viewer elsewhere, for the test. */
const otherOrigin = (url: string) => url.replace('//localhost:', '//127.0.0.1:')

test('no other page can frame CareKey, so none can overlay its grant and revoke buttons', async ({ page, securityPolicyGuard }) => {
  const { baseUrl } = e2eStack()
  const refused = page.waitForEvent('console', (message) => message.text().includes(`'${baseUrl}/'`))
  await page.setContent(`<iframe title="CareKey, framed" src="${baseUrl}/consent"></iframe>`)
  expect((await refused).text()).toContain(`Content Security Policy directive: "frame-ancestors 'none'"`)
  await expect(page.frameLocator('iframe').getByRole('heading')).toHaveCount(0)
  // The refusal is a violation the guard reports; here it is the expected outcome.
  await expect(securityPolicyGuard.check()).rejects.toThrow(`"frame-ancestors 'none'"`)
})

test('the camera is CareKey’s own; what it never uses is off for everyone', async ({ page, wallet }) => {
  const policyErrors: string[] = []
  page.on('console', (message) => {
    if (message.text().includes('Permissions-Policy')) policyErrors.push(message.text())
  })
  await wallet.open()
  const allowed = await page.evaluate(() => {
    // Chromium's view of the Permissions-Policy header (document.featurePolicy).
    const policy = (document as Document & { featurePolicy?: { allowsFeature(feature: string): boolean } }).featurePolicy
    if (!policy) throw new Error('this browser does not expose its permissions policy')
    return Object.fromEntries(['camera', 'screen-wake-lock', 'geolocation', 'microphone', 'payment', 'usb'].map((f) => [f, policy.allowsFeature(f)]))
  })
  expect(allowed).toEqual({ camera: true, 'screen-wake-lock': true, geolocation: false, microphone: false, payment: false, usb: false })
  // Every feature the header names is one the browser knows (an unknown one is reported here).
  expect(policyErrors).toEqual([])
})

test('a viewer on another origin opens a share from this host', async ({ page }) => {
  const share = await createTestShare()
  const link = otherOrigin(share.link.split('#')[0] ?? '') + share.link.slice(share.link.indexOf('#'))
  expect(new URL(link).origin).not.toBe(new URL(e2eStack().shareHostUrl).origin)
  await page.goto(link)
  await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()
  await page.getByLabel('Your name and role').fill(CLINICIAN)
  await page.getByRole('button', { name: 'Open records' }).click()
  await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
})

test('with the service worker in control, the share host’s addresses still reach the share host', async ({ page, wallet }) => {
  await wallet.open()
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  await page.reload()
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
  for (const path of ['/health', '/api/no-such-route']) {
    const response = await page.goto(path)
    expect(response?.headers()['content-type'], path).toMatch(/^application\/json/)
    expect(response?.fromServiceWorker(), path).toBe(false)
  }
  // The app's own addresses still come from the worker.
  const app = await page.goto('/consent/xyz')
  expect(app?.fromServiceWorker()).toBe(true)
  await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
})

test('the build publishes no source maps: no script names one, and none is served', async ({ page, wallet, request }) => {
  const scripts = new Set<string>()
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.add(response.url())
  })
  await wallet.open()
  await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
  // The lazily loaded screens too: the clinician's scanner and viewer.
  await page.goto('/scan')
  await expect(page.getByLabel('Shared link')).toBeVisible()
  const served = [...scripts, new URL('/sw.js', e2eStack().baseUrl).href]
  expect(served.filter((url) => url.includes('/assets/')).length).toBeGreaterThan(3)
  for (const url of served) {
    const script = await request.get(url)
    expect(script.ok(), url).toBe(true)
    expect(await script.text(), url).not.toContain('sourceMappingURL')
    expect(script.headers()['sourcemap'] ?? script.headers()['x-sourcemap'], url).toBeUndefined()
    expect((await request.get(`${url}.map`)).status(), `${url}.map`).toBe(404)
  }
})
