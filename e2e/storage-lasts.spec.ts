import type { Page } from '@playwright/test'
import { RecordsPage } from './pages/RecordsPage.ts'
import { expect, KNOWN_PHRASE, PASSPHRASE, test } from './support/fixtures.ts'

/**
 * Storage that lasts: Safari deletes a site's data after seven days without a visit unless it
 * runs as a Home Screen (or Dock) app, so on Safari the locked screens explain it. The browser
 * here is Chromium telling CareKey it is Safari, which is all the detection reads.
 */
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1'
const MAC_SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15'

const safariNotice = (page: Page) => page.getByRole('region', { name: 'Safari may delete your records' })

async function expectNoHorizontalScrolling(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0)
}

test.describe('Safari on an iPhone, outside the Home Screen', () => {
  test.use({ userAgent: IPHONE_SAFARI, hasTouch: true, isMobile: true, viewport: { width: 360, height: 740 } })

  test('the welcome screen explains the seven-day rule and the Home Screen before a wallet is made, and hides it when asked', async ({
    page,
    wallet,
    checkA11y,
  }) => {
    await wallet.open()
    const notice = safariNotice(page)
    await expect(notice).toBeVisible()
    await expect(notice).toContainText('after seven days of using Safari without opening CareKey')
    await expect(notice.getByRole('listitem')).toHaveText([
      'Tap the Share button (a square with an arrow pointing up).',
      'Choose Add to Home Screen (scroll down the list if you do not see it).',
      'From then on, open CareKey from its icon on your Home Screen.',
    ])
    await expect(notice).toContainText('Add it first, then create or restore your wallet there.')
    await checkA11y('the welcome screen with the Safari notice, 360 px')
    await expectNoHorizontalScrolling(page)

    await notice.getByRole('button', { name: 'Hide for now' }).click()
    await expect(notice).toHaveCount(0)
    await expect(page.getByRole('link', { name: 'Create a new wallet' })).toBeVisible()
  })

  test('the unlock screen explains it too, and says how to back up once unlocked', async ({ page, unlockedWallet, checkA11y }) => {
    await page.getByRole('button', { name: 'Lock' }).click()
    await unlockedWallet.expectLocked()
    const notice = safariNotice(page)
    await expect(notice).toContainText('If it opens without your wallet, restore it there with your recovery phrase and your backup.')
    await expect(notice).toContainText('After you unlock, back up your records (Records, then Backup and storage)')
    await checkA11y('the unlock screen with the Safari notice, 360 px')
    await expectNoHorizontalScrolling(page)
    // The notice is no obstacle: the passphrase still unlocks.
    await unlockedWallet.unlock(PASSPHRASE)
    await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible()
  })

  test('after a restore, Backup and storage explains the seven-day rule with no way to hide it, and says whether the browser keeps the data', async ({
    page,
    wallet,
    checkA11y,
  }) => {
    await wallet.open()
    // Hidden on the welcome screen: the Backup screen shows it all the same.
    await safariNotice(page).getByRole('button', { name: 'Hide for now' }).click()
    await wallet.restore(KNOWN_PHRASE, PASSPHRASE)
    await new RecordsPage(page).openTools('Backup and storage')
    await expect(page.getByRole('heading', { name: 'Backup and storage', level: 1 })).toBeVisible()

    const notice = safariNotice(page)
    await expect(notice).toContainText('after seven days of using Safari without opening CareKey')
    await expect(notice).toContainText('Back up your records below: a backup is how they come back if this browser’s data is deleted.')
    await expect(notice.getByRole('button')).toHaveCount(0)

    // The card is the heading's section.
    const storage = page.getByRole('heading', { name: 'Storage on this device', level: 2 }).locator('..')
    await expect(storage.getByRole('status')).toHaveText(/^This browser (has agreed to keep|has not agreed to keep|cannot promise to keep) CareKey’s data/)
    await checkA11y('Backup and storage with the Safari notice, 360 px')
    await expectNoHorizontalScrolling(page)
  })

  test('CareKey opened from the Home Screen says nothing of it', async ({ page, wallet }) => {
    // What Safari's navigator says in a Home Screen app.
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'standalone', { get: () => true, configurable: true }))
    await wallet.open()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
    await expect(safariNotice(page)).toHaveCount(0)
  })
})

test.describe('Safari on a Mac', () => {
  test.use({ userAgent: MAC_SAFARI })

  test('the welcome screen explains how to add CareKey to the Dock', async ({ page, wallet, checkA11y }) => {
    await wallet.open()
    await expect(safariNotice(page).getByRole('listitem')).toHaveText([
      'In Safari’s menu bar, choose File, then Add to Dock (macOS Sonoma or later).',
      'From then on, open CareKey from the Dock.',
    ])
    await checkA11y('the welcome screen with the Safari notice for a Mac')
  })
})

test('Chrome shows no Safari notice', async ({ page, wallet }) => {
  await wallet.open()
  await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
  await expect(safariNotice(page)).toHaveCount(0)
})
