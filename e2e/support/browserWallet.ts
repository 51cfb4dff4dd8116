import type { Page } from '@playwright/test'

export type StandInWallet = {
  name: string
  /** The account it reports (an account anvil holds unlocked, or any address for a wallet that declines). */
  address: string
  /** Refuse every transaction, as a person pressing "Reject" would (EIP-1193 error 4001). */
  declineTransactions?: boolean
}

/**
 * A minimal EIP-1193 browser wallet announced through EIP-6963, as wallet extensions do: it
 * reports one account and forwards requests to the local chain's RPC (where anvil signs for
 * its unlocked accounts), or declines transactions.
 */
export async function installStandInWallet(page: Page, wallet: StandInWallet): Promise<void> {
  await page.addInitScript(
    ({ rpcUrl, name, address, declineTransactions }) => {
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
          if (declineTransactions && method === 'eth_sendTransaction') throw Object.assign(new Error('User rejected the request.'), { code: 4001 })
          return rpc(method, params)
        },
        on: () => undefined,
        removeListener: () => undefined,
      }
      const info = {
        uuid: crypto.randomUUID(),
        name,
        icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/%3E',
        rdns: `org.example.${name.toLowerCase().replace(/[^a-z]/g, '')}`,
      }
      const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }))
      window.addEventListener('eip6963:requestProvider', announce)
      announce()
    },
    { rpcUrl: process.env.CAREKEY_E2E_RPC_URL ?? '', declineTransactions: false, ...wallet },
  )
}
