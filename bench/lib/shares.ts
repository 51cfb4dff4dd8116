import { createTestShare, type TestShare, type TestShareOptions } from '../../scripts/lib/shares.ts'
import type { BenchContext } from './context.ts'

/**
 * A consent share made on the bench's local stack as the patient's app makes it (a grant on
 * anvil, the encrypted records and the grant at the share host, the short `"_ck":2` link to
 * the bench build's viewer).
 */
export async function benchShare(ctx: BenchContext, options: TestShareOptions = {}): Promise<TestShare> {
  const backend = await ctx.backend()
  const baseUrl = await ctx.appUrl()
  return createTestShare(options, { baseUrl, rpcUrl: backend.chain.rpcUrl, registry: backend.deployment.consentRegistry, shareHostUrl: backend.shareHostUrl })
}

/** Chromium flags that show a y4m video (scripts/lib/qr.ts: writeQrVideo) to the page as its camera. */
export function cameraShowing(video: string): string[] {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]
}
