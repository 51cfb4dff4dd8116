import { expect, type Locator, type Page } from '@playwright/test'
import { decodeQrImage } from '../../scripts/lib/qr.ts'

/** What a patient does with a consent QR code's screen, as steps a test can reuse. */
export class SharePage {
  constructor(readonly page: Page) {}

  get qr(): Locator {
    return this.page.getByRole('button', { name: 'Show the QR code full screen' })
  }

  get status(): Locator {
    return this.page.getByTestId('consent-status').first()
  }

  get accessEntries(): Locator {
    return this.page.getByTestId('access-entry')
  }

  async openFromNavigation() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My QR' }).click()
  }

  /** Waits until the share is uploaded and its QR code shows. */
  async expectReady() {
    await expect(this.page.getByRole('heading', { name: 'Consent QR code', level: 1 })).toBeVisible()
    await expect(this.qr).toBeVisible({ timeout: 20_000 })
    await expect(this.status).toHaveText('Active')
  }

  /** The link the QR code on screen holds, read from a screenshot of it. */
  async decodeQr(): Promise<string> {
    const texts = await decodeQrImage(await this.qr.screenshot())
    expect(texts).toHaveLength(1)
    return texts[0] ?? ''
  }

  /** The version of the QR code on screen (1 to 40), from its size: 17 + 4 × version modules, and a quiet zone of 4 on each side. */
  async qrVersion(): Promise<number> {
    const viewBox = (await this.qr.locator('svg').getAttribute('viewBox')) ?? ''
    const full = Number(viewBox.split(' ')[2])
    return (full - 8 - 17) / 4
  }

  /** The link as the page shows it in words (under "The link"). */
  async linkText(): Promise<string> {
    return ((await this.page.getByTestId('share-link').textContent()) ?? '').trim()
  }

  /** Stops sharing through its one confirmation and waits until it is done. */
  async stopSharing() {
    const { page } = this
    await page.getByRole('button', { name: 'Stop sharing', exact: true }).click()
    await expect(page.getByText('It cannot recall what was already viewed or copied.')).toBeVisible()
    await page.getByRole('button', { name: 'Yes, stop sharing' }).click()
    await expect(page.getByText(/^Sharing stopped/)).toBeVisible({ timeout: 20_000 })
  }
}
