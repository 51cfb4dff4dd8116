import type { ReactNode } from 'react'
import { WagmiProvider } from 'wagmi'
import { appConfig } from '../app/config.ts'
import type { LocalAccountSource } from './localWalletConnector.ts'
import { createCareKeyWagmiConfig } from './wagmiConfig.ts'

let config: ReturnType<typeof createCareKeyWagmiConfig> | undefined

/** Provides wagmi to the unlocked app. The config is created once per page. */
export function ChainProvider({ accounts, children }: { accounts: LocalAccountSource; children: ReactNode }) {
  config ??= createCareKeyWagmiConfig(appConfig.chain, accounts)
  return <WagmiProvider config={config}>{children}</WagmiProvider>
}
