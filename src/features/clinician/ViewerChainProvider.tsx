import type { ReactNode } from 'react'
import { createConfig, http, injected, WagmiProvider, type Config } from 'wagmi'
import { appConfig } from '../../app/config.ts'
import { careKeyChain, RPC_TIMEOUT_MS } from '../../chain/wagmiConfig.ts'

let config: Config | undefined

/**
 * wagmi for the clinician's viewer: chain reads, and the clinician's own browser wallet (if
 * they have one) to sign a proof of their address. No CareKey wallet and no storage: nothing
 * the clinician does here is kept on their device.
 */
export function ViewerChainProvider({ children }: { children: ReactNode }) {
  config ??= createConfig({
    chains: [careKeyChain(appConfig.chain)],
    connectors: [injected()],
    transports: { [appConfig.chain.id]: http(appConfig.chain.rpcUrl, { timeout: RPC_TIMEOUT_MS, retryCount: 1 }) },
    pollingInterval: appConfig.chain.isLocalDevChain ? 250 : 4_000,
    multiInjectedProviderDiscovery: true,
    storage: null,
  })
  return <WagmiProvider config={config}>{children}</WagmiProvider>
}
