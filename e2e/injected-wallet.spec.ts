import { expect, KNOWN_ADDRESS, test } from './support/fixtures.ts'

// anvil's second development account: unlocked on the chain, so a stand-in browser wallet can
// send transactions for it by forwarding them to the RPC.
const BROWSER_WALLET_ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

test.beforeEach(async ({ page }) => {
  // A minimal EIP-1193 wallet announced through EIP-6963, as browser extensions do.
  await page.addInitScript(
    ({ rpcUrl, address }) => {
      let id = 0
      const rpc = async (method: string, params: unknown) => {
        const response = await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params ?? [] }),
        })
        const body = (await response.json()) as { result?: unknown; error?: { message: string } }
        if (body.error) throw new Error(body.error.message)
        return body.result
      }
      const provider = {
        request: async ({ method, params }: { method: string; params?: unknown }) => {
          if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address]
          if (method === 'wallet_requestPermissions' || method === 'wallet_getPermissions') return [{ parentCapability: 'eth_accounts' }]
          return rpc(method, params)
        },
        on: () => undefined,
        removeListener: () => undefined,
      }
      const info = {
        uuid: '6b3c1f7e-0000-4000-8000-000000000001',
        name: 'Test Wallet',
        icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/%3E',
        rdns: 'org.example.testwallet',
      }
      const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }))
      window.addEventListener('eip6963:requestProvider', announce)
      announce()
    },
    { rpcUrl: process.env.CAREKEY_E2E_RPC_URL ?? '', address: BROWSER_WALLET_ADDRESS },
  )
})

test('a patient with a browser wallet can sign with it instead, and switch back', async ({ page, unlockedWallet }) => {
  await page.getByRole('button', { name: 'Use Test Wallet' }).click()
  await expect(page.getByText('Consents are signed with Test Wallet.')).toBeVisible()
  await unlockedWallet.expectAccount(BROWSER_WALLET_ADDRESS)

  await page.getByRole('button', { name: 'Use my CareKey wallet instead' }).click()
  await expect(page.getByText('Consents are signed with your CareKey wallet, on this device.')).toBeVisible()
  await unlockedWallet.expectAccount(KNOWN_ADDRESS)
})
