import { installStandInWallet } from './support/browserWallet.ts'
import { expect, KNOWN_ADDRESS, test } from './support/fixtures.ts'

// anvil's second development account: unlocked on the chain, so a stand-in browser wallet can
// send transactions for it by forwarding them to the RPC.
const BROWSER_WALLET_ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

test.beforeEach(async ({ page }) => {
  await installStandInWallet(page, { name: 'Test Wallet', address: BROWSER_WALLET_ADDRESS })
})

test('a patient with a browser wallet can sign with it instead, and switch back', async ({ page, unlockedWallet }) => {
  await page.getByRole('button', { name: 'Use Test Wallet' }).click()
  await expect(page.getByText('Consents are signed with Test Wallet.')).toBeVisible()
  await unlockedWallet.expectAccount(BROWSER_WALLET_ADDRESS)

  await page.getByRole('button', { name: 'Use my CareKey wallet instead' }).click()
  await expect(page.getByText('Consents are signed with your CareKey wallet, on this device.')).toBeVisible()
  await unlockedWallet.expectAccount(KNOWN_ADDRESS)
})
