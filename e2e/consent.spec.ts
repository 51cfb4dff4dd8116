import { writeFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { toBuffer } from 'qrcode'
import { ConsentPage } from './pages/ConsentPage.ts'
import { parseEther } from 'viem'
import { accountOnChain, freshPatient, grantKeyAddress, statusOfGrant } from './pages/ConsentChain.ts'
import { installStandInWallet } from './support/browserWallet.ts'
import { expect, test } from './support/fixtures.ts'
import { test as ownChainTest } from './support/ownChain.ts'

// anvil's second development account stands in for a clinician.
const CLINICIAN = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

test('the patient grants Allergies and Medications to a clinician for treatment for 24 hours, sees it active, revokes it, and the contract agrees', async ({
  page,
  checkA11y,
}) => {
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)

  await consent.startGrant()
  await checkA11y('grant form')
  await consent.fill({ categories: ['Allergies', 'Medications'], grantee: CLINICIAN, name: 'Dr. Ada Lee', purpose: /^Treatment/, duration: '24 hours' })
  await consent.review()

  const review = page.getByTestId('grant-review')
  await expect(review).toContainText('All your allergies (2 records now)')
  await expect(review).toContainText('All your medications (2 records now)')
  await expect(review).toContainText('Dr. Ada Lee')
  await expect(review).toContainText('Treatment')
  await expect(review).not.toContainText('TREAT')
  await expect(review).toContainText(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} \(in 24 hours\)/)
  // What becomes public is the grant's own fresh address (the wallet's first per-grant key), not the account.
  const publicPart = page.getByTestId('public-on-chain')
  const grantAddress = await consent.grantAddressOnReview()
  expect(grantAddress).toBe(grantKeyAddress(patient.phrase, 0))
  await expect(publicPart).not.toContainText(patient.address)
  await expect(publicPart).toContainText('an opaque fingerprint of this consent')
  await expect(page.getByTestId('review-fingerprint')).toHaveText(/^0x[0-9a-f]{64}$/)
  await expect(page.getByTestId('review-fingerprint')).toBeHidden()
  for (const secret of ['Dr. Ada Lee', 'Allerg', 'Treatment', CLINICIAN]) await expect(publicPart).not.toContainText(secret)
  await expect(page.getByText("CareKey's sponsor pays the network fee: recording it costs you nothing")).toBeVisible()
  await checkA11y('grant review')

  await consent.grantAndConfirm()
  await expect(page.getByRole('heading', { name: 'Consent for Dr. Ada Lee', level: 1 })).toBeVisible()
  await expect(consent.status()).toHaveText('Active')
  await expect(page.getByTestId('last-read').first()).toContainText('Read at')
  await checkA11y('consent details')

  const terms = await consent.termsOnScreen()
  expect(terms.patient).toBe(grantAddress)
  expect(await statusOfGrant(grantAddress, terms.commitment, terms.validFrom, terms.validUntil)).toBe('active')
  expect(Number(terms.validUntil - terms.validFrom)).toBe(24 * 3600 + 60)

  await consent.open()
  await expect(consent.status(consent.item('Dr. Ada Lee'))).toHaveText('Active')
  await expect(consent.item('Dr. Ada Lee')).toContainText('Allergies and Medications · Treatment')
  await expect(consent.item('Dr. Ada Lee')).not.toContainText('TREAT')
  await expect(page.getByText('Every consent this wallet recorded on the network is listed above.')).toBeVisible()
  await checkA11y('my consents')

  await consent.item('Dr. Ada Lee').click()
  await consent.revoke()
  await expect(consent.status()).toHaveText('Revoked')
  // What revoking means, in place of the green "recorded" banner.
  await expect(page.getByTestId('revoked-notice')).toContainText('You revoked this consent.')
  await expect(page.getByTestId('revoked-notice')).toContainText('Dr. Ada Lee can no longer open the records it shared.')
  await expect(page.getByTestId('revoked-notice')).toContainText('Copies they already downloaded or saved stay with them')
  await expect(consent.progress).toHaveCount(0)
  await expect(page.getByText('Revoked in', { exact: true })).toBeHidden()
  expect(await statusOfGrant(grantAddress, terms.commitment, terms.validFrom, terms.validUntil)).toBe('revoked')
  // The sponsor sent both: the patient's account sent nothing, and the grant's address needs no funds.
  expect(await accountOnChain(patient.address)).toEqual({ balance: parseEther('10'), nonce: 0 })
  expect(await accountOnChain(grantAddress)).toEqual({ balance: 0n, nonce: 0 })

  await consent.open()
  await expect(consent.status(consent.item('Dr. Ada Lee'))).toHaveText('Revoked')
})

ownChainTest('a grant whose end passes on chain shows as expired', async ({ page, ownChain }) => {
  const patient = await freshPatient({ rpcUrl: ownChain.stack.rpcUrl })
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)

  // Ten minutes from now (this test's own chain starts on the wall clock).
  const start = Math.max(Date.now(), Number(await ownChain.clock.now()) * 1000)
  const end = new Date(start + 10 * 60_000)
  await consent.startGrant()
  await consent.fill({ categories: ['Conditions'], grantee: CLINICIAN, name: 'Dr. Short', duration: { endsOn: localInput(end) } })
  await consent.review()
  await consent.grantAndConfirm()
  await expect(consent.status()).toHaveText('Active')

  await ownChain.clock.advance(Math.ceil((end.getTime() - Number(await ownChain.clock.now()) * 1000) / 1000) + 60)
  await consent.open()
  await expect(consent.status(consent.item('Dr. Short'))).toHaveText('Expired', { timeout: 20_000 })
  await consent.item('Dr. Short').click()
  await expect(consent.status()).toHaveText('Expired')
  await expect(page.getByRole('button', { name: 'Revoke consent' })).toHaveCount(0)
})

test('a wallet restored on a new device finds its grants on the network, and their details again from the backup', async ({ page, browser }) => {
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies'], grantee: CLINICIAN, name: 'Dr. Backup' })
  await consent.review()
  await consent.grantAndConfirm()
  const backup = await consent.records.exportBackup()

  const newDevice = await browser.newContext()
  try {
    const other = new ConsentPage(await newDevice.newPage())
    await other.wallet.open()
    await other.wallet.restore(patient.phrase, 'correct horse battery staple')
    await other.open()
    await expect(other.page.getByText('You have not granted any consent on this device yet.')).toBeVisible()
    const found = other.page.getByText('1 consent recorded by this wallet whose details are not on this device')
    await expect(found).toBeVisible()
    await found.click()
    const chainOnly = other.page.getByRole('list', { name: 'Consents found on the network' }).getByRole('listitem')
    await expect(chainOnly).toHaveCount(1)
    await expect(other.status(chainOnly)).toHaveText('Active')
    await expect(chainOnly).toContainText('Made from a one-time address')

    await other.records.restoreBackup({ name: backup.name, mimeType: 'application/octet-stream', buffer: backup.bytes })
    await expect(other.page.getByText(/^Restore finished/)).toBeVisible()
    await other.open()
    await expect(other.status(other.item('Dr. Backup'))).toHaveText('Active')
    await expect(other.item('Dr. Backup')).toContainText('Allergies · Treatment')
    await expect(other.page.getByText('Every consent this wallet recorded on the network is listed above.')).toBeVisible()
  } finally {
    await newDevice.close()
  }
})

test("the clinician's address can be scanned from their address QR code (EIP-681), and a QR code without one is explained", async ({ page }, testInfo) => {
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.startGrant()
  await consent.next('Who may see it')
  await page.getByRole('radio', { name: /^A clinician's address/ }).check()

  const notAnAddress = testInfo.outputPath('not-an-address.png')
  await writeFile(notAnAddress, await toBuffer('https://example.org/hello', { margin: 4, scale: 6 }))
  await page.getByRole('button', { name: 'Scan their address QR code' }).click()
  await page.getByLabel('Choose a picture of the code').setInputFiles(notAnAddress)
  await expect(page.getByRole('alert').filter({ hasText: 'That QR code does not hold an account address.' })).toBeVisible()

  const addressQr = testInfo.outputPath('address.png')
  await writeFile(addressQr, await toBuffer(`ethereum:pay-${CLINICIAN.toLowerCase()}@31337`, { margin: 4, scale: 6 }))
  await page.getByRole('button', { name: 'Scan their address QR code' }).click()
  await page.getByLabel('Choose a picture of the code').setInputFiles(addressQr)
  await expect(page.getByLabel('Their account address')).toHaveValue(CLINICIAN)
  await expect(page.getByRole('alert').filter({ hasText: 'That QR code does not hold an account address.' })).toHaveCount(0)
})

// The share host's sponsor relay.
const RELAY = `${process.env.CAREKEY_E2E_SHARE_HOST_URL ?? ''}/api/relay/**`

/** Has the share host's sponsor relay fail every request: unreachable, or out of funds. */
async function breakSponsor(page: Page, how: 'unreachable' | 'out-of-funds') {
  await page.unroute(RELAY)
  await page.route(RELAY, (route) =>
    how === 'unreachable'
      ? route.abort('connectionrefused')
      : route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'sponsor-out-of-funds' }) }),
  )
}

test('bad input gets clear messages; when the sponsor cannot record, a patient with no funds is told which, and nothing is kept', async ({ page }) => {
  const patient = await freshPatient({ funded: false })
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)

  // Each step checks its own answers before Next.
  await consent.startGrant()
  await page.getByRole('radio', { name: /^Some categories/ }).check()
  await page.getByRole('button', { name: 'Next', exact: true }).click()
  await expect(page.getByRole('alert').first()).toContainText('Some answers need a change')
  await expect(page.getByText('Choose at least one category to share.').first()).toBeVisible()
  await expect(consent.step('What to share')).toBeVisible()
  await page.getByRole('group', { name: 'Categories' }).getByRole('checkbox', { name: /^Allergies/ }).check()
  await consent.next('Who may see it')
  await page.getByRole('radio', { name: /^A clinician's address/ }).check()
  await page.getByLabel('Their account address').fill('0x70997970c51812dc3a010c7d01b50e0d17dc79C8')
  await page.getByRole('button', { name: 'Next', exact: true }).click()
  await expect(page.getByText("The recipient's address has a typo").first()).toBeVisible()
  await expect(page.getByLabel('Their account address')).toHaveAttribute('aria-invalid', 'true')
  await expect(consent.step('Who may see it')).toBeVisible()

  // No funds is no obstacle: nothing warns about fees before signing.
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies'], grantee: CLINICIAN, name: 'Dr. Broke' })
  await consent.review()
  await expect(page.getByText(/no funds|not have enough funds/)).toHaveCount(0)

  // The sponsor is out of funds: said so, and the patient's own account cannot pay instead.
  await breakSponsor(page, 'out-of-funds')
  await consent.grantButton.click()
  await expect(page.getByRole('alert').filter({ hasText: 'has run out of funds, so nothing was recorded' })).toBeVisible()
  await expect(page.getByText('Your own account has no funds to pay the network fee instead, so the consent waits for the sponsor.')).toBeVisible()
  await expect(page.getByRole('link', { name: 'Get test funds on the Account screen' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Pay the fee from my account' })).toHaveCount(0)

  // The sponsor cannot be reached: said so; the grant is not sent, and not kept.
  await breakSponsor(page, 'unreachable')
  await consent.grantButton.click()
  await expect(page.getByRole('alert').filter({ hasText: 'The service that records consents for free cannot be reached right now.' })).toBeVisible()
  await expect(consent.grantButton).toBeEnabled()
  await consent.open()
  await expect(page.getByText('You have not granted any consent on this device yet.')).toBeVisible()
  await expect(page.getByTestId('consent-status')).toHaveCount(0)
  expect(await accountOnChain(patient.address)).toEqual({ balance: 0n, nonce: 0 })
})

test('when the sponsor is out of funds, a patient whose account has funds can pay the fee from it instead', async ({ page }) => {
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.startGrant()
  await consent.fill({ categories: ['Medications'], grantee: CLINICIAN, name: 'Dr. Paid' })
  await consent.review()
  const grantAddress = await consent.grantAddressOnReview()

  await breakSponsor(page, 'out-of-funds')
  await consent.grantButton.click()
  await expect(page.getByRole('alert').filter({ hasText: 'has run out of funds, so nothing was recorded' })).toBeVisible()
  await expect(page.getByText('Anyone can then see that your account sent it')).toBeVisible()
  await page.getByRole('button', { name: 'Pay the fee from my account' }).click()
  await expect(consent.progress).toHaveAttribute('data-phase', 'confirmed', { timeout: 20_000 })
  await expect(consent.status()).toHaveText('Active')

  // Still made by the grant's own key; only the sender (and payer) is the patient's account.
  const terms = await consent.termsOnScreen()
  expect(terms.patient).toBe(grantAddress)
  expect(await statusOfGrant(grantAddress, terms.commitment, terms.validFrom, terms.validUntil)).toBe('active')
  const account = await accountOnChain(patient.address)
  expect(account.nonce).toBe(1)
  expect(account.balance).toBeLessThan(parseEther('10'))
})

test('a browser wallet that declines to pay the fee instead: nothing is sent, nothing is kept', async ({ page }) => {
  const patient = await freshPatient()
  await installStandInWallet(page, { name: 'Declining Wallet', address: patient.address, declineTransactions: true })
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.wallet.openAccount()
  await page.getByRole('button', { name: 'Use Declining Wallet' }).click()
  await expect(page.getByText('Consents are signed with Declining Wallet.')).toBeVisible()

  await consent.startGrant()
  await consent.fill({ categories: ['Medications'], grantee: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', name: 'Dr. Declined' })
  await consent.review()
  await breakSponsor(page, 'out-of-funds')
  await consent.grantButton.click()
  await expect(page.getByRole('alert').filter({ hasText: 'has run out of funds, so nothing was recorded' })).toBeVisible()
  await page.getByRole('button', { name: 'Pay the fee from my account' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'The request was declined in your wallet.' })).toBeVisible()
  await expect(consent.grantButton).toBeEnabled()
  await consent.open()
  await expect(page.getByText('You have not granted any consent on this device yet.')).toBeVisible()
  expect((await accountOnChain(patient.address)).nonce).toBe(0)
})

test('the consent screens work on a 360 px wide phone', async ({ page, checkA11y }) => {
  await page.setViewportSize({ width: 360, height: 740 })
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies'], grantee: 'qr', qr: { passcode: '2468' } })
  await checkA11y('a grant step at 360 px')
  await consent.review()
  await expect(consent.step('Review your consent')).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  await checkA11y('grant review at 360 px')
  // Back keeps the answers.
  await page.getByRole('button', { name: 'Back', exact: true }).click()
  await expect(consent.step('For how long')).toBeFocused()
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0)
  await page.getByRole('button', { name: 'Back', exact: true }).click()
  await page.getByRole('button', { name: 'Back', exact: true }).click()
  await expect(consent.step('Who may see it')).toBeFocused()
  await expect(page.getByLabel('Passcode (optional)')).toHaveValue('2468')
  // So does the phone's own Back button, a step at a time, and Forward returns.
  await page.goBack()
  await expect(consent.step('What to share')).toBeFocused()
  await expect(page.getByRole('group', { name: 'Categories' }).getByRole('checkbox', { name: /^Allergies/ })).toBeChecked()
  await page.goForward()
  await expect(consent.step('Who may see it')).toBeFocused()
  await expect(page).toHaveURL(/\/consent\/new\?step=who$/)
})

function localInput(date: Date) {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}
