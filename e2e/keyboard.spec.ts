import type { Page } from '@playwright/test'
import { expect, PASSPHRASE, test } from './support/fixtures.ts'
import { expectFocusVisible, listenToLiveRegions, tabTo } from './support/keyboard.ts'

const screenHeading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true })
const grantStep = (page: Page, title: string) => page.getByRole('heading', { level: 2, name: new RegExp(`^Step \\d of 5: ${title}$`) })

/** Tabs to a button and presses Enter on it. */
async function press(page: Page, name: string | RegExp, { backwards = false } = {}) {
  await tabTo(page.getByRole('button', { name, exact: typeof name === 'string' }), `the ${String(name)} button`, { backwards })
  await page.keyboard.press('Enter')
}

/** Tabs to a link and follows it with Enter. */
async function follow(page: Page, name: string, { backwards = false } = {}) {
  await tabTo(page.getByRole('link', { name, exact: true }), `the ${name} link`, { backwards })
  await page.keyboard.press('Enter')
}

/** Tabs to a text field and types into it. */
async function typeInto(page: Page, label: string, text: string) {
  await tabTo(page.getByLabel(label, { exact: true }), `the ${label} field`)
  await page.keyboard.type(text)
}

// Only the keyboard from here on: Tab, Shift+Tab, Enter, Escape and typing; no click or fill.
test('with the keyboard alone: create a wallet, grant a consent with a QR code, show it and stop sharing; focus lands on each new screen, and the grant and the revocation are announced', async ({
  page,
}) => {
  test.setTimeout(180_000)
  const live = await listenToLiveRegions(page)
  await page.goto('/')
  await expect(screenHeading(page, 'Welcome to CareKey')).toBeVisible()
  // The first screen of a page load leaves focus where the browser put it.
  await expect(screenHeading(page, 'Welcome to CareKey')).not.toBeFocused()

  // A new wallet, in its three steps.
  await follow(page, 'Create a new wallet')
  await expect(screenHeading(page, 'Your recovery phrase')).toBeFocused()
  const words = (await page.getByRole('list', { name: 'Recovery phrase' }).getByRole('listitem').allTextContents()).map((t) => t.replace(/^\d+\.\s*/, '').trim())
  expect(words).toHaveLength(12)
  await press(page, 'I have written them down')
  await expect(screenHeading(page, 'Confirm your phrase')).toBeFocused()
  for (const label of await page.locator('label', { hasText: /^Word \d+$/ }).allTextContents()) {
    await typeInto(page, label, words[Number(label.replace(/\D/g, '')) - 1] ?? '')
  }
  await press(page, 'Confirm')
  await expect(screenHeading(page, 'Choose a passphrase')).toBeFocused()
  await typeInto(page, 'New passphrase', PASSPHRASE)
  await typeInto(page, 'Repeat the passphrase', PASSPHRASE)
  await press(page, 'Create wallet')
  await expect(screenHeading(page, 'Records')).toBeFocused({ timeout: 30_000 })

  // Records to share. The button goes once they are in: focus goes back to the screen's heading, not to nothing.
  await press(page, 'Load sample data')
  await expect(page.getByRole('button', { name: /sample data/ })).toHaveCount(0, { timeout: 20_000 })
  await expect(screenHeading(page, 'Records')).toBeFocused()

  // The main navigation is above the content: back up to it.
  await follow(page, 'Consents', { backwards: true })
  await expect(screenHeading(page, 'My consents')).toBeFocused()
  await follow(page, 'Grant a consent')
  await expect(screenHeading(page, 'Grant a consent')).toBeFocused()

  // The common case: all my records, whoever I show the QR code to, treatment, 24 hours. Each step's heading takes focus.
  await expect(grantStep(page, 'What to share')).toBeVisible()
  for (const next of ['Who may see it', 'Why', 'For how long']) {
    await press(page, 'Next')
    await expect(grantStep(page, next)).toBeFocused()
  }
  await press(page, 'Review')
  await expect(grantStep(page, 'Review your consent')).toBeFocused({ timeout: 20_000 })
  await press(page, /^Grant consent/)

  // The consent QR code's screen follows the confirmation.
  await expect(screenHeading(page, 'Consent QR code')).toBeFocused({ timeout: 20_000 })
  const progress = page.getByTestId('grant-progress').getByRole('status')
  await expect(progress).toHaveText('Recorded on the network.')
  await expect.poll(() => live.announcements()).toEqual(
    expect.arrayContaining([
      { role: 'status', text: 'Recording your consent on the network…' },
      { role: 'status', text: 'Recorded on the network.' },
    ]),
  )

  // Full screen for the clinician's camera, and back with Escape: focus returns to the button.
  const fullScreen = page.getByRole('button', { name: 'Show full screen' })
  await expect(fullScreen).toBeVisible({ timeout: 20_000 })
  await tabTo(fullScreen, 'the Show full screen button')
  await page.keyboard.press('Enter')
  const dialog = page.getByRole('dialog', { name: 'Consent QR code, full screen' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(dialog).toHaveCount(0)
  await expect(fullScreen).toBeFocused()
  await expectFocusVisible(fullScreen, 'the Show full screen button')

  // Stop sharing, through its confirmation (whose heading takes focus).
  await press(page, 'Stop sharing')
  await expect(page.getByRole('heading', { name: 'Stop sharing?' })).toBeFocused()
  await press(page, 'Yes, stop sharing')
  const status = page.getByTestId('share-status-description')
  await expect(status).toHaveText(/^You (revoked its consent|stopped sharing)/, { timeout: 20_000 })
  // The confirmation is gone with its buttons: focus is on the screen's heading, not on nothing.
  await expect(screenHeading(page, 'Consent QR code')).toBeFocused()
  const said = (await status.textContent()) ?? ''
  await expect.poll(() => live.announcements()).toEqual(
    expect.arrayContaining([
      { role: 'status', text: 'Revoking…' },
      { role: 'status', text: said.trim() },
    ]),
  )
  // Each was announced once: no message sits in two regions.
  const heard = await live.announcements()
  for (const text of ['Recording your consent on the network…', 'Recorded on the network.', 'Revoking…']) {
    expect(heard.filter((a) => a.text === text), text).toHaveLength(1)
  }
})

test('with reduced motion, nothing spins, slides or fades', async ({ page }) => {
  await page.goto('/')
  const create = page.getByRole('link', { name: 'Create a new wallet' })
  await expect(create).toBeVisible()
  // A spinner as the loading screens show it (Tailwind's animate-spin), and a button's colour transition.
  const motion = () =>
    page.evaluate(() => {
      const spinner = document.createElement('span')
      spinner.className = 'animate-spin'
      document.body.append(spinner)
      const spin = getComputedStyle(spinner).animationName
      spinner.remove()
      const link = [...document.querySelectorAll('a')].find((a) => a.textContent.trim() === 'Create a new wallet')
      return { spin, transition: link ? getComputedStyle(link).transitionDuration : 'no link' }
    })
  expect(await motion()).toEqual({ spin: 'spin', transition: '0.15s' })
  await page.emulateMedia({ reducedMotion: 'reduce' })
  expect(await motion()).toEqual({ spin: 'none', transition: '0s' })
})
