import { generateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english'
import { createPublicClient, createTestClient, http, parseEther, type Address, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi } from '../../contracts/generated/ConsentRegistry.ts'
import { GRANT_KEYS_PATH } from '../../src/domain/wallet/keys.ts'

/**
 * The end-to-end tests' direct line to the local chain (CAREKEY_E2E_RPC_URL): read the
 * ConsentRegistry as any verifier would, and fund a fresh patient account. Tests share one
 * chain, so each patient test uses its own fresh account; a test that moves the chain's clock
 * does it on a chain of its own (e2e/support/ownChain.ts).
 */
const rpcUrl = () => {
  const url = process.env.CAREKEY_E2E_RPC_URL
  if (!url) throw new Error('CAREKEY_E2E_RPC_URL is not set: run the tests through Playwright (global setup starts the chain)')
  return url
}
export const registryAddress = (): Address => {
  const address = process.env.CAREKEY_E2E_REGISTRY
  if (!address?.startsWith('0x')) throw new Error('CAREKEY_E2E_REGISTRY is not set')
  return address as Address
}

const publicClient = () => createPublicClient({ chain: foundry, transport: http(rpcUrl()) })
const testClient = (url = rpcUrl()) => createTestClient({ chain: foundry, mode: 'anvil', transport: http(url) })

/** The ConsentRegistry's `Status` enum, in order. */
export const REGISTRY_STATUS = ['unknown', 'active', 'revoked', 'expired', 'pending'] as const

/**
 * A fresh recovery phrase and its account (m/44'/60'/0'/0/0), funded on the local chain (or on
 * the chain at `rpcUrl`, a test's own) unless told not to.
 */
export async function freshPatient(options: { funded?: boolean; rpcUrl?: string } = {}): Promise<{ phrase: string; address: Address }> {
  const phrase = generateMnemonic(wordlist)
  const { address } = mnemonicToAccount(phrase)
  if (options.funded ?? true) await testClient(options.rpcUrl).setBalance({ address, value: parseEther('10') })
  return { phrase, address }
}

/**
 * The address of a wallet's per-grant key number `index` (`GRANT_KEYS_PATH/index'`), derived
 * here on its own from the phrase, as any BIP-32 wallet would.
 */
export function grantKeyAddress(phrase: string, index: number): Address {
  return mnemonicToAccount(phrase, { path: `${GRANT_KEYS_PATH}/${index}'` }).address
}

/** What an observer of the chain sees of an account: its balance and how many transactions it sent. */
export async function accountOnChain(address: Address): Promise<{ balance: bigint; nonce: number }> {
  const client = publicClient()
  const [balance, nonce] = await Promise.all([client.getBalance({ address }), client.getTransactionCount({ address })])
  return { balance, nonce }
}

/**
 * What the registry says about a grant, from the granting address (the grant's own per-grant
 * address, the terms' patient), its commitment and period (`statusOfGrant`).
 */
export async function statusOfGrant(patient: Address, commitment: Hex, validFrom: bigint, validUntil: bigint) {
  const raw = await publicClient().readContract({
    address: registryAddress(),
    abi: consentRegistryAbi,
    functionName: 'statusOfGrant',
    args: [patient, commitment, validFrom, validUntil],
  })
  return REGISTRY_STATUS[raw]
}

