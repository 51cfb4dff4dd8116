import { describe, expect, it } from 'vitest'
import { keccak256, toHex, type Hex } from 'viem'
import { startLocalChainForTests } from '../../scripts/lib/chainFixture.ts'
import { consentRegistryAbi, findGrantRecord, type ConsentRegistryDeployment } from './consentRegistry.ts'

const local = startLocalChainForTests()
const registry = (): ConsentRegistryDeployment => ({
  chainId: local.deployment.chainId,
  address: local.deployment.consentRegistry,
  fromBlock: BigInt(local.deployment.deployBlock),
})

async function grant(walletIndex: number, commitment: Hex) {
  const wallet = local.wallets[walletIndex]
  if (!wallet) throw new Error('no wallet')
  const validUntil = (await local.now()) + 86_400n
  const hash = await wallet.writeContract({ address: registry().address, abi: consentRegistryAbi, functionName: 'grant', args: [commitment, validUntil] })
  return local.publicClient.waitForTransactionReceipt({ hash })
}

describe('findGrantRecord', () => {
  it('finds where one grant was recorded and revoked, and nothing for another patient or commitment', async () => {
    const commitment = keccak256(toHex('grant to find'))
    const other = keccak256(toHex('another grant'))
    const patient = local.wallets[3]?.account.address
    if (!patient) throw new Error('no wallet')
    const granted = await grant(3, commitment)
    await grant(3, other)
    await grant(4, commitment)

    const record = await findGrantRecord(local.publicClient, registry(), patient, commitment)
    expect(record?.granted.transactionHash).toBe(granted.transactionHash)
    expect(record?.granted.blockNumber).toBe(granted.blockNumber)
    expect(record?.revoked).toBeUndefined()

    const wallet = local.wallets[3]
    if (!wallet) throw new Error('no wallet')
    const revokeHash = await wallet.writeContract({ address: registry().address, abi: consentRegistryAbi, functionName: 'revoke', args: [commitment] })
    await local.publicClient.waitForTransactionReceipt({ hash: revokeHash })
    expect((await findGrantRecord(local.publicClient, registry(), patient, commitment))?.revoked?.transactionHash).toBe(revokeHash)

    expect(await findGrantRecord(local.publicClient, registry(), patient, keccak256(toHex('never granted')))).toBeUndefined()
  })
})
