import type { BrowserContext, Route } from '@playwright/test'
import { withOwnClock, type OwnClock } from '../../scripts/lib/chainClock.ts'
import { e2eStack, type E2eStack } from '../../scripts/lib/shares.ts'
import { startBackend } from '../../scripts/lib/stack.ts'
import { isShareHostPath } from '../../server/src/production.ts'
import { test as base } from './fixtures.ts'

export type OwnChain = {
  /** The addresses the app was built with, reaching this chain and its share host: pass it to createTestShare. */
  stack: E2eStack
  /** This chain's clock: move it freely, no other test runs on this chain. */
  clock: OwnClock
}

/**
 * A chain of the test's own, for a test that moves the chain's clock: every end-to-end test
 * shares the chain the global setup started, across parallel workers, so moving its clock
 * would expire other tests' grants and signatures under them.
 *
 * It starts anvil with CareKey's contracts (deployed by the same account in the same order, so
 * at the addresses the app was built with) and a share host on it that answers to the app's
 * share host address. The built app's chain requests (its RPC URL) and share host requests
 * (`/shl`, `/api`, `/health` on the app's origin) from `context` are answered by them, so the
 * browser, its content security policy and the links all keep the built app's addresses.
 * Service workers must be blocked in `context` (the `test` below does it): requests a service
 * worker handles are not routed.
 */
export async function startOwnChain(context: BrowserContext): Promise<OwnChain & { stop(): Promise<void> }> {
  const shared = e2eStack()
  const backend = await startBackend({ shareHostEnv: { CAREKEY_SHARE_HOST_URL: shared.shareHostUrl } })
  try {
    if (backend.deployment.consentRegistry.toLowerCase() !== shared.registry.toLowerCase()) {
      throw new Error(
        `The own chain's ConsentRegistry is at ${backend.deployment.consentRegistry}, the app was built for ${shared.registry}: deploy in the same order from the same account as the global setup.`,
      )
    }
    const rpcOrigin = new URL(shared.rpcUrl).origin
    const hostOrigin = new URL(shared.shareHostUrl).origin
    const forward = (to: string) => async (route: Route) => {
      const { pathname, search } = new URL(route.request().url())
      await route.fulfill({ response: await route.fetch({ url: `${to}${pathname}${search}`, maxRedirects: 0 }) })
    }
    await context.route((url) => url.origin === rpcOrigin, forward(backend.chain.rpcUrl.replace(/\/+$/, '')))
    await context.route((url) => url.origin === hostOrigin && isShareHostPath(url.pathname), forward(backend.shareHostUrl))
    return {
      stack: {
        ...shared,
        rpcUrl: backend.chain.rpcUrl,
        // Signed for the app's share host address, sent to this chain's host.
        shareHostFetch: (input, init) => fetch(input.replace(shared.shareHostUrl, backend.shareHostUrl), init),
      },
      clock: withOwnClock(backend.chain),
      stop: () => backend.stop(),
    }
  } catch (error) {
    await backend.stop()
    throw error
  }
}

/**
 * The end-to-end `test` with `ownChain`: a chain of the test's own (see startOwnChain) behind
 * the test's browser context. The only way an end-to-end test may move a chain's clock.
 *
 * @example
 * test('an expired consent is shown as expired', async ({ page, ownChain }) => {
 *   const share = await createTestShare({ hours: 1 }, ownChain.stack)
 *   await ownChain.clock.advance(3_700)
 * })
 */
export const test = base.extend<{ ownChain: OwnChain }>({
  serviceWorkers: 'block',
  ownChain: [
    async ({ context }, use) => {
      const own = await startOwnChain(context)
      try {
        await use(own)
      } finally {
        await own.stop()
      }
    },
    // Starting a chain, deploying and starting a share host takes seconds, many on a busy
    // machine: its own time, not the test's.
    { timeout: 60_000 },
  ],
})
