import type { Page } from '@playwright/test'
import { contentSecurityPolicy } from '../src/platform/contentSecurityPolicy.ts'
import { e2eStack } from '../scripts/lib/shares.ts'
import { e2eSecurityPolicy, SecurityPolicyGuard } from './support/securityPolicy.ts'
import { expect, test } from './support/fixtures.ts'

// The guard that every other test relies on, proven: each deliberate breach below must be
// reported by it. The test's own guard is asked directly (`check()` throws, and forgets what it
// reported), so the suite stays green while showing that a regression would turn it red.

/**
 * Collects what the guard reports until every pattern shows up (the pages' reports arrive
 * asynchronously); each `check()` throws what it saw and forgets it.
 */
async function expectReported(guard: SecurityPolicyGuard, ...patterns: RegExp[]) {
  let reported = ''
  await expect
    .poll(async () => {
      reported += await guard.check().then(
        () => '',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      )
      return patterns.filter((pattern) => !pattern.test(reported)).map(String)
    })
    .toEqual([])
}

async function openCareKey(page: Page) {
  await page.goto(`${e2eStack().baseUrl}/`)
  await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
}

test('the guard reports an injected inline script, a Trusted Types sink and a connection the policy does not list, in a context the test opened itself', async ({
  browser,
  securityPolicyGuard,
}) => {
  // Opened by the test, as the clinician's browser is in the share journey: watched all the same.
  const context = await browser.newContext()
  const page = await context.newPage()
  await openCareKey(page)
  await securityPolicyGuard.check()

  await page.addScriptTag({ content: 'window.carekeyInjected = true' }).catch(() => undefined)
  expect(await page.evaluate(() => 'carekeyInjected' in window)).toBe(false)
  await expectReported(securityPolicyGuard, /violation of (require-trusted-types-for|script-src) .*carekeyInjected/)

  await page.evaluate(() => {
    try {
      document.body.insertAdjacentHTML('beforeend', '<p>not through a policy</p>')
    } catch {
      // Refused by Trusted Types: the report is what this test looks for.
    }
  })
  await expectReported(securityPolicyGuard, /requires 'TrustedHTML' assignment/, /violation of require-trusted-types-for .*blocked trusted-types-sink, sample "[^"]*insertAdjacentHTML/)

  await page.evaluate(() => fetch('https://elsewhere.example/records').catch(() => undefined))
  await expectReported(securityPolicyGuard, /violation of connect-src .*blocked https:\/\/elsewhere\.example\/records/)
  await context.close()
})

test('the guard reports a violation in a Chromium the test started itself', async ({ ownChromium, securityPolicyGuard }) => {
  const browser = await ownChromium.launch()
  const page = await browser.newPage()
  await openCareKey(page)
  await page.evaluate(() => fetch('https://elsewhere.example/').catch(() => undefined))
  await expectReported(securityPolicyGuard, /violation of connect-src .*elsewhere\.example/)
})

test('the guard reports a page whose policy is missing or differs from the configuration’s', async ({ browser, securityPolicyGuard }) => {
  const expected = e2eSecurityPolicy()
  // What another configuration would allow: another chain RPC, so another connect-src.
  const other = new SecurityPolicyGuard({ ...expected, policy: contentSecurityPolicy({ chain: { rpcUrl: 'https://rpc.example.org' }, shareHostUrl: e2eStack().shareHostUrl }) })
  const context = await browser.newContext()
  await other.watchContext(context)
  const page = await context.newPage()
  await openCareKey(page)
  await expectReported(
    other,
    /the meta tag of .* holds "[^"]*", not "[^"]*https:\/\/rpc\.example\.org/,
    /was sent with the header "[^"]*", not "[^"]*https:\/\/rpc\.example\.org/,
  )

  // The same page with neither the meta tag nor the header: nothing guards it.
  const stripped = new SecurityPolicyGuard(expected)
  const bare = await browser.newContext()
  await stripped.watchContext(bare)
  await bare.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.fallback()
    const response = await route.fetch()
    const headers = { ...response.headers() }
    delete headers['content-security-policy']
    const body = (await response.text()).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
    await route.fulfill({ response, headers, body })
  })
  await openCareKey(await bare.newPage())
  await expectReported(stripped, /the meta tag of .* holds no policy/, /was sent with no policy header/)
  // The test's own guard watches every context its browser opens: it saw the bare page too.
  await expectReported(securityPolicyGuard, /the meta tag of .* holds no policy/, /was sent with no policy header/)
  await bare.close()
  await context.close()
})
