export { ChainProvider } from './ChainProvider.tsx'
export { LOCAL_WALLET_CONNECTOR_ID, localWallet, type LocalAccountSource } from './localWalletConnector.ts'
export { requestDevFunds } from './faucet.ts'
export { NetworkUnreachableError, toChainError } from './errors.ts'
