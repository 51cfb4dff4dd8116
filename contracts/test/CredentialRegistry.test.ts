import { describe, expect, it } from 'vitest'
import {
  BaseError,
  decodeErrorResult,
  encodeDeployData,
  getAddress,
  isHex,
  parseEventLogs,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { ROLE_BITS } from '../../src/domain/credentials/roles.ts'
import { ANVIL_MNEMONIC, startLocalChainForTests, type ChainFixture } from '../../scripts/lib/chainFixture.ts'
import { LOCAL_LICENSING_BODY } from '../../scripts/lib/deploy.ts'
import { credentialRegistryAbi, credentialRegistryBytecode } from '../generated/CredentialRegistry.ts'
import { random32, revertOf } from './support.ts'

const local = startLocalChainForTests()

/** The contract's Status enum. */
const Status = { None: 0, Valid: 1, Revoked: 2, Expired: 3, Pending: 4 } as const
const { clinician: CLINICIAN, prescriber: PRESCRIBER, pharmacy: PHARMACY } = ROLE_BITS
const ISSUER = 8
const OTHER_ISSUER = 7
const HOUR = 3_600

/** A fresh professional address each time, so that tests do not share credentials. */
let nextProfessional = 100
const freshProfessional = (): Address => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: nextProfessional++ }).address

/** Helpers bound to one registry deployment and the fixture's accounts. */
function registryUnderTest(fixture: ChainFixture, address: () => Address) {
  const wallet = (i: number) => {
    const w = fixture.wallets[i]
    if (!w) throw new Error(`no wallet ${i}`)
    return w
  }
  const receiptOf = (hash: Hex) => fixture.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  const contract = () => ({ address: address(), abi: credentialRegistryAbi }) as const
  return {
    account: (i: number) => wallet(i).account.address,
    async issue(by: number, professional: Address, roles: number, validFrom: number, validUntil: number, documentHash: Hex): Promise<TransactionReceipt> {
      return receiptOf(await wallet(by).writeContract({ ...contract(), functionName: 'issue', args: [professional, roles, validFrom, validUntil, documentHash] }))
    },
    async revoke(by: number, professional: Address): Promise<TransactionReceipt> {
      return receiptOf(await wallet(by).writeContract({ ...contract(), functionName: 'revoke', args: [professional] }))
    },
    credentialOf: (professional: Address) => fixture.publicClient.readContract({ ...contract(), functionName: 'credentialOf', args: [professional] }),
    statusFor: (account: Address, role: number) => fixture.publicClient.readContract({ ...contract(), functionName: 'statusFor', args: [account, role] }),
    hasRole: (account: Address, role: number) => fixture.publicClient.readContract({ ...contract(), functionName: 'hasRole', args: [account, role] }),
    events: (receipt: TransactionReceipt) =>
      parseEventLogs({ abi: credentialRegistryAbi, logs: receipt.logs.filter((l) => getAddress(l.address) === getAddress(address())) }).map((e) => ({
        eventName: e.eventName,
        args: e.args,
      })),
  }
}

const registry = registryUnderTest(local, () => local.deployment.credentialRegistry)
const now = async () => Number(await local.now())

/** A credential issued by the local licensing body, valid from a minute ago for `hours`. */
async function freshCredential(roles = PRESCRIBER, hours = 24) {
  const professional = freshProfessional()
  const start = await now()
  const period = { validFrom: start - 60, validUntil: start + hours * HOUR }
  const documentHash = random32()
  const receipt = await registry.issue(ISSUER, professional, roles, period.validFrom, period.validUntil, documentHash)
  return { professional, roles, ...period, documentHash, receipt }
}

/** Deploys another CredentialRegistry with these issuers (anvil account indexes). */
async function deployWithIssuers(issuers: Address[]): Promise<Address> {
  const wallet = local.wallets[0]
  if (!wallet) throw new Error('no deployer')
  const hash = await wallet.deployContract({ abi: credentialRegistryAbi, bytecode: credentialRegistryBytecode, args: [issuers] })
  const receipt = await local.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (!receipt.contractAddress) throw new Error('deploy failed')
  return getAddress(receipt.contractAddress)
}

describe('CredentialRegistry: issuers', () => {
  it('is deployed on the local stack with one issuer, the local licensing body (anvil account 8)', async () => {
    expect(LOCAL_LICENSING_BODY).toBe(registry.account(ISSUER))
    const read = (functionName: 'issuers') => local.publicClient.readContract({ address: local.deployment.credentialRegistry, abi: credentialRegistryAbi, functionName })
    expect(await read('issuers')).toEqual([LOCAL_LICENSING_BODY])
    expect(local.deployment.credentialIssuers).toEqual([LOCAL_LICENSING_BODY])
  })

  it('refuses a deployment without issuers, with the zero address or with one issuer twice', async () => {
    const wallet = local.wallets[0]
    if (!wallet) throw new Error('no deployer')
    const deployError = async (issuers: Address[]) => {
      const data = encodeDeployData({ abi: credentialRegistryAbi, bytecode: credentialRegistryBytecode, args: [issuers] })
      try {
        await local.publicClient.call({ account: wallet.account, data })
      } catch (error) {
        // The revert data of a failed deployment, wherever viem put it in the chain of causes.
        const withData = error instanceof BaseError ? error.walk((e) => typeof e === 'object' && e !== null && 'data' in e && isHex(e.data)) : null
        const revert = withData !== null && typeof withData === 'object' && 'data' in withData && isHex(withData.data) ? withData.data : undefined
        return revert === undefined ? 'no revert data' : decodeErrorResult({ abi: credentialRegistryAbi, data: revert }).errorName
      }
      return 'deployed'
    }
    expect(await deployError([registry.account(ISSUER)])).toBe('deployed')
    for (const issuers of [[], [zeroAddress], [registry.account(ISSUER), registry.account(ISSUER)]]) {
      expect(await deployError(issuers)).toBe('InvalidIssuers')
    }
  })

  it('lets only a configured issuer register a credential', async () => {
    const professional = freshProfessional()
    const start = await now()
    for (const outsider of [0, 1, OTHER_ISSUER]) {
      expect(await revertOf(registry.issue(outsider, professional, PRESCRIBER, start, start + HOUR, random32()))).toEqual({
        name: 'NotAnIssuer',
        args: [registry.account(outsider)],
      })
    }
    expect(await registry.credentialOf(professional)).toEqual([Status.None, zeroAddress, 0, 0, 0, `0x${'00'.repeat(20)}`])
  })
})

describe('CredentialRegistry: issuing', () => {
  it('records the roles, the period, the issuer and the document hash prefix, and emits the full hash', async () => {
    const c = await freshCredential(PRESCRIBER | CLINICIAN)
    expect(c.receipt.status).toBe('success')
    expect(registry.events(c.receipt)).toEqual([
      {
        eventName: 'CredentialIssued',
        args: { professional: c.professional, issuer: registry.account(ISSUER), roles: PRESCRIBER | CLINICIAN, validFrom: c.validFrom, validUntil: c.validUntil, documentHash: c.documentHash },
      },
    ])
    expect(await registry.credentialOf(c.professional)).toEqual([
      Status.Valid,
      registry.account(ISSUER),
      PRESCRIBER | CLINICIAN,
      c.validFrom,
      c.validUntil,
      c.documentHash.slice(0, 42),
    ])
  })

  it('says whether an address holds a role now: every role asked for, and no other', async () => {
    const c = await freshCredential(PRESCRIBER | CLINICIAN)
    expect(await registry.hasRole(c.professional, PRESCRIBER)).toBe(true)
    expect(await registry.hasRole(c.professional, CLINICIAN)).toBe(true)
    expect(await registry.hasRole(c.professional, PRESCRIBER | CLINICIAN)).toBe(true)
    expect(await registry.hasRole(c.professional, PHARMACY)).toBe(false)
    expect(await registry.hasRole(c.professional, PHARMACY | PRESCRIBER)).toBe(false)
    expect(await registry.hasRole(c.professional, 0)).toBe(false)
    expect(await registry.statusFor(c.professional, PRESCRIBER)).toBe(Status.Valid)
    expect(await registry.statusFor(c.professional, PHARMACY)).toBe(Status.None)
    expect(await registry.statusFor(freshProfessional(), PRESCRIBER)).toBe(Status.None)
  })

  it('is Pending before validFrom, Valid from validFrom, Expired from validUntil, to the second', async () => {
    const professional = freshProfessional()
    const start = await now()
    const validFrom = start + HOUR
    const validUntil = start + 3 * HOUR
    await registry.issue(ISSUER, professional, PHARMACY, validFrom, validUntil, random32())
    const at = async (t: number) => {
      await local.clock.mineAt(BigInt(t))
      return [await registry.statusFor(professional, PHARMACY), await registry.hasRole(professional, PHARMACY)]
    }
    expect(await at(validFrom - 1)).toEqual([Status.Pending, false])
    expect(await at(validFrom)).toEqual([Status.Valid, true])
    expect(await at(validUntil - 1)).toEqual([Status.Valid, true])
    expect(await at(validUntil)).toEqual([Status.Expired, false])
    expect((await registry.credentialOf(professional))[0]).toBe(Status.Expired)
  })

  it('refuses no role, an unknown role bit, an empty or past period, an empty document hash and the zero address', async () => {
    const professional = freshProfessional()
    const start = await now()
    const hash = random32()
    expect(await revertOf(registry.issue(ISSUER, professional, 0, start, start + HOUR, hash))).toEqual({ name: 'InvalidRoles', args: [0] })
    expect(await revertOf(registry.issue(ISSUER, professional, 8, start, start + HOUR, hash))).toEqual({ name: 'InvalidRoles', args: [8] })
    expect(await revertOf(registry.issue(ISSUER, professional, PHARMACY | 16, start, start + HOUR, hash))).toEqual({ name: 'InvalidRoles', args: [PHARMACY | 16] })
    expect(await revertOf(registry.issue(ISSUER, professional, PHARMACY, start + HOUR, start + HOUR, hash))).toEqual({ name: 'InvalidValidity', args: [start + HOUR, start + HOUR] })
    expect(await revertOf(registry.issue(ISSUER, professional, PHARMACY, start - 2 * HOUR, start - HOUR, hash))).toEqual({ name: 'InvalidValidity', args: [start - 2 * HOUR, start - HOUR] })
    // Ending right now is already over in the block the transaction lands in.
    expect(await revertOf(registry.issue(ISSUER, professional, PHARMACY, start - HOUR, start, hash))).toEqual({ name: 'InvalidValidity', args: [start - HOUR, start] })
    expect(await revertOf(registry.issue(ISSUER, professional, PHARMACY, start, start + HOUR, zeroHash))).toEqual({ name: 'EmptyDocumentHash', args: [] })
    expect(await revertOf(registry.issue(ISSUER, zeroAddress, PHARMACY, start, start + HOUR, hash))).toEqual({ name: 'InvalidProfessional', args: [] })
    expect((await registry.credentialOf(professional))[0]).toBe(Status.None)
  })

  it('lets the same issuer renew or change a credential, reinstating a revoked one', async () => {
    const c = await freshCredential(PRESCRIBER)
    await registry.revoke(ISSUER, c.professional)
    const start = await now()
    const renewed = random32()
    await registry.issue(ISSUER, c.professional, PRESCRIBER | PHARMACY, start, start + 48 * HOUR, renewed)
    expect(await registry.credentialOf(c.professional)).toEqual([Status.Valid, registry.account(ISSUER), PRESCRIBER | PHARMACY, start, start + 48 * HOUR, renewed.slice(0, 42)])
  })
})

describe('CredentialRegistry: revoking', () => {
  it('lets the issuer revoke: the credential reads Revoked, holds no role, and stays so after its end', async () => {
    const c = await freshCredential(PRESCRIBER | CLINICIAN, 1)
    const receipt = await registry.revoke(ISSUER, c.professional)
    expect(registry.events(receipt)).toEqual([{ eventName: 'CredentialRevoked', args: { professional: c.professional, issuer: registry.account(ISSUER) } }])
    expect(await registry.credentialOf(c.professional)).toEqual([Status.Revoked, registry.account(ISSUER), c.roles, c.validFrom, c.validUntil, c.documentHash.slice(0, 42)])
    expect(await registry.hasRole(c.professional, PRESCRIBER)).toBe(false)
    expect(await registry.statusFor(c.professional, CLINICIAN)).toBe(Status.Revoked)
    await local.clock.advance(2 * HOUR)
    expect(await registry.statusFor(c.professional, CLINICIAN)).toBe(Status.Revoked)
  })

  it('refuses a revoke by anyone else, twice, or of an address without a credential', async () => {
    const c = await freshCredential()
    for (const other of [0, 1, OTHER_ISSUER]) {
      expect(await revertOf(registry.revoke(other, c.professional))).toEqual({ name: 'NotTheIssuer', args: [c.professional, registry.account(ISSUER)] })
    }
    expect(await registry.hasRole(c.professional, PRESCRIBER)).toBe(true)
    await registry.revoke(ISSUER, c.professional)
    expect(await revertOf(registry.revoke(ISSUER, c.professional))).toEqual({ name: 'CredentialAlreadyRevoked', args: [c.professional] })
    const nobody = freshProfessional()
    expect(await revertOf(registry.revoke(ISSUER, nobody))).toEqual({ name: 'NoCredential', args: [nobody] })
  })
})

describe('CredentialRegistry: several issuers', () => {
  it('only the issuer that registered revokes; another issuer may not replace a current credential, only a revoked or expired one', async () => {
    const address = await deployWithIssuers([registry.account(ISSUER), registry.account(OTHER_ISSUER)])
    const two = registryUnderTest(local, () => address)
    const professional = freshProfessional()
    const start = await now()
    await two.issue(ISSUER, professional, PHARMACY, start, start + 2 * HOUR, random32())
    expect(await revertOf(two.revoke(OTHER_ISSUER, professional))).toEqual({ name: 'NotTheIssuer', args: [professional, registry.account(ISSUER)] })
    expect(await revertOf(two.issue(OTHER_ISSUER, professional, PHARMACY, start, start + 9 * HOUR, random32()))).toEqual({
      name: 'CredentialHeldByAnotherIssuer',
      args: [professional, registry.account(ISSUER)],
    })
    // Once it has expired, the other licensing body may register the professional.
    await local.clock.advance(3 * HOUR)
    const later = await now()
    await two.issue(OTHER_ISSUER, professional, PHARMACY | CLINICIAN, later, later + HOUR, random32())
    expect((await two.credentialOf(professional)).slice(0, 3)).toEqual([Status.Valid, registry.account(OTHER_ISSUER), PHARMACY | CLINICIAN])
    // And now the first issuer can neither revoke nor replace it, until it is revoked.
    expect(await revertOf(two.revoke(ISSUER, professional))).toEqual({ name: 'NotTheIssuer', args: [professional, registry.account(OTHER_ISSUER)] })
    await two.revoke(OTHER_ISSUER, professional)
    await two.issue(ISSUER, professional, CLINICIAN, later, later + HOUR, random32())
    expect((await two.credentialOf(professional)).slice(0, 3)).toEqual([Status.Valid, registry.account(ISSUER), CLINICIAN])
  })
})

describe('CredentialRegistry: gas budgets', () => {
  it('issuing a credential costs at most 60,000 gas (one new slot); a revoke at most 35,000', async () => {
    const c = await freshCredential(PRESCRIBER | CLINICIAN)
    expect(c.receipt.gasUsed).toBeLessThanOrEqual(60_000n)
    expect((await registry.revoke(ISSUER, c.professional)).gasUsed).toBeLessThanOrEqual(35_000n)
  })
})
