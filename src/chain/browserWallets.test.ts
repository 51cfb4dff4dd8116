import { describe, expect, it } from 'vitest'
import type { Connector } from 'wagmi'
import { browserWallets } from './browserWallets.ts'
import { LOCAL_WALLET_CONNECTOR_ID } from './localWalletConnector.ts'

const connector = (id: string, name = id) => ({ id, name }) as unknown as Connector

describe('browserWallets', () => {
  const local = connector(LOCAL_WALLET_CONNECTOR_ID, 'CareKey wallet')
  const injected = connector('injected', 'Injected')
  const announced = connector('org.example.wallet', 'Example Wallet')

  it('offers the wallets announced through EIP-6963, without the generic injected duplicate', () => {
    expect(browserWallets([local, injected, announced], true)).toEqual([announced])
  })

  it('offers the generic injected wallet only when the page has one', () => {
    expect(browserWallets([local, injected], true)).toEqual([injected])
    expect(browserWallets([local, injected], false)).toEqual([])
  })
})
