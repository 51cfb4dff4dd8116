import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumArgs, resolveChromium } from '../scripts/lib/browser.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { createTestShare } from '../scripts/lib/shares.ts'
import { median, type BenchSuite } from './lib/context.ts'

const RUNS = 5

/**
 * share.scan_to_verified_ms: on the local stack, from the moment the clinician's scanner
 * decodes a consent QR (shown to Chromium's fake camera) to the shared records on screen with
 * the consent verified: link validation, the grant read on chain, the manifest and file from
 * the share host, decryption and the data hash check. Read from the viewer's own performance
 * measure; it includes the automated typing of the clinician's name (a few milliseconds).
 * Median of several scans, each of a fresh share.
 */
export const scanSuite: BenchSuite = {
  name: 'scan',
  async run(ctx) {
    const backend = await ctx.backend()
    const appUrl = await ctx.appUrl()
    Object.assign(process.env, {
      CAREKEY_E2E_BASE_URL: appUrl,
      CAREKEY_E2E_RPC_URL: backend.chain.rpcUrl,
      CAREKEY_E2E_REGISTRY: backend.deployment.consentRegistry,
      CAREKEY_E2E_SHARE_HOST_URL: backend.shareHostUrl,
    })
    const dir = await mkdtemp(join(tmpdir(), 'carekey-bench-scan-'))
    const times: number[] = []
    try {
      for (let i = 0; i < RUNS; i++) {
        const share = await createTestShare()
        const video = join(dir, `share-${i}.y4m`)
        await writeQrVideo(share.link, video, { width: 1280, height: 720, frames: 3 })
        const browser = await chromium.launch({
          executablePath: resolveChromium().executablePath,
          args: [...chromiumArgs(), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
        })
        try {
          const page = await browser.newPage()
          await page.goto(`${appUrl}/scan`)
          await page.getByLabel('Your name and role').fill('Dr. Bench')
          await page.getByRole('button', { name: 'Open records' }).click()
          await page.getByRole('heading', { name: 'Peanut allergy' }).waitFor()
          const [measured] = await page.evaluate(() => performance.getEntriesByName('carekey:share-verified').map((e) => e.duration))
          if (measured === undefined) throw new Error('the viewer recorded no verified view')
          times.push(measured)
        } finally {
          await browser.close()
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    return [{ name: 'share.scan_to_verified_ms', value: median(times), unit: 'ms' }]
  },
}
