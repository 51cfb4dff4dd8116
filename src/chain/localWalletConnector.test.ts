import { describe, expect, it } from 'vitest'
import {
  defineChain,
  hashTypedData,
  parseTransaction,
  recoverTransactionAddress,
  verifyMessage,
  verifyTypedData,
  type Hex,
  type LocalAccount,
  type TransactionSerialized,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { createLocalProvider, WalletLockedRpcError } from './localWalletConnector.ts'

const account = mnemonicToAccount('test test test test test test test test test test test junk')
// Nothing listens here: any request the provider forwards instead of signing locally fails.
const chain = defineChain({
  id: 31337,
  name: 'Test',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1:9'] } },
})

function providerWith(current: LocalAccount | undefined) {
  return createLocalProvider({
    chain,
    source: { getAccount: () => current, subscribe: () => () => undefined },
    getChainId: () => chain.id,
    switchChain: async () => undefined,
  })
}

const typedData = {
  domain: { name: 'CareKey', version: '1', chainId: 31337, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
  types: {
    EIP712Domain: [
      { name: 'name', type: 'string' },
      { name: 'version', type: 'string' },
      { name: 'chainId', type: 'uint256' },
      { name: 'verifyingContract', type: 'address' },
    ],
    ShareRequest: [
      { name: 'shareId', type: 'string' },
      { name: 'nonce', type: 'uint256' },
    ],
  },
  primaryType: 'ShareRequest',
  message: { shareId: 'abc', nonce: '7' },
} as const

describe('local wallet provider', () => {
  it('reports the unlocked account and the chain', async () => {
    const provider = providerWith(account)
    expect(await provider.request({ method: 'eth_accounts' })).toEqual([account.address])
    expect(await provider.request({ method: 'eth_chainId' })).toBe('0x7a69')
  })

  it('signs EIP-712 typed data that viem verifies against the address', async () => {
    const provider = providerWith(account)
    const signature: Hex = await provider.request({
      method: 'eth_signTypedData_v4',
      params: [account.address, JSON.stringify(typedData)],
    })
    const { EIP712Domain: _d, ...types } = typedData.types
    const message = { shareId: 'abc', nonce: 7n }
    expect(await verifyTypedData({ address: account.address, domain: typedData.domain, types, primaryType: 'ShareRequest', message, signature })).toBe(true)
    // And not for a changed message.
    expect(
      await verifyTypedData({ address: account.address, domain: typedData.domain, types, primaryType: 'ShareRequest', message: { ...message, nonce: 8n }, signature }),
    ).toBe(false)
    expect(hashTypedData({ domain: typedData.domain, types, primaryType: 'ShareRequest', message })).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it('signs personal messages that viem verifies', async () => {
    const provider = providerWith(account)
    const signature: Hex = await provider.request({ method: 'personal_sign', params: ['0x68656c6c6f', account.address] })
    expect(await verifyMessage({ address: account.address, message: 'hello', signature })).toBe(true)
  })

  it('signs a complete transaction locally; the signature recovers to the address', async () => {
    const provider = providerWith(account)
    const serialized: TransactionSerialized = await provider.request({
      method: 'eth_signTransaction',
      params: [
        {
          from: account.address,
          to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          value: '0xde0b6b3a7640000',
          gas: '0x5208',
          nonce: '0x0',
          maxFeePerGas: '0x3b9aca00',
          maxPriorityFeePerGas: '0x3b9aca00',
          chainId: '0x7a69',
        },
      ],
    })
    const tx = parseTransaction(serialized)
    expect(tx.to).toBe('0x70997970c51812dc3a010c7d01b50e0d17dc79c8')
    expect(tx.value).toBe(10n ** 18n)
    expect(tx.chainId).toBe(31337)
    expect(await recoverTransactionAddress({ serializedTransaction: serialized })).toBe(account.address)
  })

  it('refuses to sign for another address', async () => {
    const provider = providerWith(account)
    await expect(
      provider.request({ method: 'personal_sign', params: ['0x68656c6c6f', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'] }),
    ).rejects.toThrow(/cannot sign for that account/)
  })

  it('refuses every signature while locked, and reports no accounts', async () => {
    const provider = providerWith(undefined)
    expect(await provider.request({ method: 'eth_accounts' })).toEqual([])
    await expect(provider.request({ method: 'personal_sign', params: ['0x68656c6c6f', account.address] })).rejects.toBeInstanceOf(
      WalletLockedRpcError,
    )
  })

  it('refuses eth_sign, which would sign an arbitrary hash', async () => {
    const provider = providerWith(account)
    await expect(provider.request({ method: 'eth_sign', params: [account.address, `0x${'11'.repeat(32)}`] })).rejects.toThrow(/does not sign raw hashes/)
  })
})
