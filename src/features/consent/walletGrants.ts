import { isAddressEqual, type Address, type PublicClient } from 'viem'
import {
  discoverGrantKeys,
  listPatientGrants,
  type ConsentRegistryDeployment,
  type ListGrantsOptions,
  type PatientGrantRecord,
} from '../../chain/consentRegistry.ts'
import { toConsentChainError } from '../../chain/consentRegistryErrors.ts'

/** One grant of this wallet found on chain: made by per-grant key `keyIndex`, or from an account (undefined). */
export type WalletGrant = PatientGrantRecord & { keyIndex: number | undefined }

export type WalletGrants = {
  /** Oldest first, by where the grant was recorded. */
  grants: WalletGrant[]
  /** The first per-grant key index that no grant on chain used: new grants start here or later. */
  nextIndex: number
  /** The last block scanned. */
  toBlock: bigint
}

/** Where to look for a wallet's grants. */
export type WalletGrantSources = {
  /** The address of per-grant key `index` (WalletKeys.grantAccount). */
  grantAddressAt: (index: number) => Address
  /**
   * Accounts that may have made grants directly, before grants had keys of their own: the
   * wallet's main account, and a browser wallet the patient connected.
   */
  accounts: readonly Address[]
}

/**
 * Every grant a wallet recorded, from the phrase alone: the per-grant keys found by scanning
 * with a gap limit (discoverGrantKeys), and the grants made directly from the wallet's
 * accounts (listPatientGrants), read up to the same block and merged oldest first. The
 * terms are not on chain: a backup brings them back. Throws the chain's CareKeyErrors.
 *
 * @example
 * const { grants, nextIndex } = await findWalletGrants(client, registry, {
 *   grantAddressAt: (i) => keys.grantAccount(i).address,
 *   accounts: [keys.account.address],
 * })
 */
export async function findWalletGrants(
  client: PublicClient,
  registry: ConsentRegistryDeployment,
  sources: WalletGrantSources,
  options: ListGrantsOptions & { gapLimit?: number } = {},
): Promise<WalletGrants> {
  let toBlock = options.toBlock
  if (toBlock === undefined) {
    try {
      toBlock = await client.getBlockNumber({ cacheTime: 0 })
    } catch (error) {
      throw toConsentChainError(error)
    }
  }
  const accounts = sources.accounts.filter((a, i) => sources.accounts.findIndex((b) => isAddressEqual(a, b)) === i)
  const [perGrantKeys, fromAccounts] = await Promise.all([
    discoverGrantKeys(client, registry, sources.grantAddressAt, { ...options, toBlock }),
    listPatientGrants(client, registry, accounts, { ...options, toBlock }),
  ])
  const grants: WalletGrant[] = [...perGrantKeys.grants, ...fromAccounts.grants.map((g) => ({ ...g, keyIndex: undefined }))]
  grants.sort((a, b) =>
    a.granted.blockNumber === b.granted.blockNumber ? a.granted.logIndex - b.granted.logIndex : a.granted.blockNumber < b.granted.blockNumber ? -1 : 1,
  )
  return { grants, nextIndex: perGrantKeys.nextIndex, toBlock }
}
