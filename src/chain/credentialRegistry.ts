import { isAddressEqual, zeroAddress, type Address, type Hex, type PublicClient } from 'viem'
import { credentialRegistryAbi } from '../../contracts/generated/CredentialRegistry.ts'
import type { VerifiedCredential } from '../domain/credentials/credentialDocument.ts'
import { credentialStatusFromChain, type CredentialStatus } from '../domain/credentials/credentialStatus.ts'
import { ROLE_BITS, rolesOfBits, type ProfessionalRole } from '../domain/credentials/roles.ts'
import { checkClientChain } from './clientChain.ts'
import { placeOf, type ChainPlace } from './consentRegistry.ts'
import { UnexpectedChainReplyError } from './consentRegistryErrors.ts'
import { toCredentialChainError } from './credentialRegistryErrors.ts'

export { credentialRegistryAbi }

/** The CredentialRegistry the app uses: its chain, its address and the block it was deployed in. */
export type CredentialRegistryDeployment = { chainId: number; address: Address; fromBlock: bigint }

/**
 * The credential registry of the app's configuration, or undefined when this network has none
 * (the professional features are then unavailable).
 *
 * @example
 * const registry = credentialRegistryOf(appConfig)
 */
export function credentialRegistryOf(config: {
  chain: { id: number }
  credentialRegistry: { address: Address; fromBlock: bigint } | undefined
}): CredentialRegistryDeployment | undefined {
  const c = config.credentialRegistry
  return c && { chainId: config.chain.id, address: c.address, fromBlock: c.fromBlock }
}

async function chainCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toCredentialChainError(error)
  }
}

// ---------------------------------------------------------------------------------------------
// Reads

/** A professional's credential as the registry holds it now. Times are unix seconds. */
export type CredentialReading =
  | { status: 'none'; blockNumber: bigint | undefined }
  | {
      /** Only `valid` counts as verified. */
      status: Exclude<CredentialStatus, 'none'>
      issuer: Address
      roles: ProfessionalRole[]
      roleBits: number
      validFrom: number
      validUntil: number
      /** The first 160 bits of the credential document's hash (the event has all of it). */
      documentHashPrefix: Hex
      blockNumber: bigint | undefined
    }

export type ReadOptions = { blockNumber?: bigint }

/**
 * Reads the credential of an address: none, or its status (valid, revoked, expired, pending)
 * with the issuer, the roles, the period and the document hash prefix.
 *
 * @example
 * const reading = await readCredential(publicClient, registry, clinicianAddress)
 * if (reading.status === 'valid' && reading.roles.includes('clinician')) showVerified(reading.issuer)
 */
export async function readCredential(client: PublicClient, registry: CredentialRegistryDeployment, professional: Address, options: ReadOptions = {}): Promise<CredentialReading> {
  checkClientChain(client, registry.chainId)
  const [raw, issuer, roleBits, validFrom, validUntil, documentHashPrefix] = await chainCall(() =>
    client.readContract({ address: registry.address, abi: credentialRegistryAbi, functionName: 'credentialOf', args: [professional], blockNumber: options.blockNumber }),
  )
  const status = credentialStatusFromChain(raw)
  if (status === undefined) throw new UnexpectedChainReplyError(`credential status ${raw}`)
  if (status === 'none') {
    if (!isAddressEqual(issuer, zeroAddress)) throw new UnexpectedChainReplyError('an issuer without a credential')
    return { status, blockNumber: options.blockNumber }
  }
  if (isAddressEqual(issuer, zeroAddress) || roleBits === 0 || validUntil <= validFrom) throw new UnexpectedChainReplyError('a credential without issuer, role or period')
  return { status, issuer, roles: rolesOfBits(roleBits), roleBits, validFrom, validUntil, documentHashPrefix, blockNumber: options.blockNumber }
}

/**
 * The status of an address for one role: `valid` only when it holds a credential with that role
 * that is valid now; `none` when it holds none or one without the role.
 *
 * @example
 * if ((await readRoleStatus(client, registry, pharmacy, 'pharmacy')) !== 'valid') refuse()
 */
export async function readRoleStatus(
  client: PublicClient,
  registry: CredentialRegistryDeployment,
  account: Address,
  role: ProfessionalRole,
  options: ReadOptions = {},
): Promise<CredentialStatus> {
  checkClientChain(client, registry.chainId)
  const raw = await chainCall(() =>
    client.readContract({ address: registry.address, abi: credentialRegistryAbi, functionName: 'statusFor', args: [account, ROLE_BITS[role]], blockNumber: options.blockNumber }),
  )
  const status = credentialStatusFromChain(raw)
  if (status === undefined) throw new UnexpectedChainReplyError(`credential status ${raw}`)
  return status
}

/**
 * The licensing bodies the registry was deployed with (fixed for its lifetime).
 *
 * @example
 * const [licensingBody] = await readIssuers(client, registry)
 */
export async function readIssuers(client: PublicClient, registry: CredentialRegistryDeployment): Promise<readonly Address[]> {
  checkClientChain(client, registry.chainId)
  return chainCall(() => client.readContract({ address: registry.address, abi: credentialRegistryAbi, functionName: 'issuers' }))
}

// ---------------------------------------------------------------------------------------------
// Writes: parameters for wagmi's useWriteContract or viem's writeContract, sent by the issuer.

/**
 * The write that registers a verified credential document (the issuer's own account sends it).
 *
 * @example
 * const verified = await verifyCredential(await signCredential(issuer, unsigned, location, new Date()), location)
 * await writeContractAsync(issueCredentialRequest(registry, verified))
 */
export function issueCredentialRequest(
  registry: CredentialRegistryDeployment,
  credential: Pick<VerifiedCredential, 'professional' | 'roleBits' | 'validFrom' | 'validUntil' | 'documentHash'>,
) {
  return {
    address: registry.address,
    abi: credentialRegistryAbi,
    functionName: 'issue',
    args: [credential.professional, credential.roleBits, credential.validFrom, credential.validUntil, credential.documentHash],
    chainId: registry.chainId,
  } as const
}

/**
 * The write that revokes a professional's credential (only the issuing body's account may).
 *
 * @example
 * await writeContractAsync(revokeCredentialRequest(registry, professional))
 */
export function revokeCredentialRequest(registry: CredentialRegistryDeployment, professional: Address) {
  return { address: registry.address, abi: credentialRegistryAbi, functionName: 'revoke', args: [professional], chainId: registry.chainId } as const
}

// ---------------------------------------------------------------------------------------------
// Events: what an issuer registered and revoked.

export type CredentialIssuedEvent = ChainPlace & {
  kind: 'issued'
  professional: Address
  issuer: Address
  roles: ProfessionalRole[]
  validFrom: number
  validUntil: number
  /** The full 256-bit document hash. */
  documentHash: Hex
}
export type CredentialRevokedEvent = ChainPlace & { kind: 'revoked'; professional: Address; issuer: Address }
export type CredentialEvent = CredentialIssuedEvent | CredentialRevokedEvent

/**
 * Every credential registered or revoked by an issuer (or for a professional), oldest first,
 * from the registry's events since its deployment block: the issuer screen's list. The
 * current state of each professional is `readCredential`.
 *
 * @example
 * const events = await listCredentialEvents(client, registry, { issuer: licensingBody })
 */
export async function listCredentialEvents(
  client: PublicClient,
  registry: CredentialRegistryDeployment,
  filter: { issuer?: Address; professional?: Address } = {},
): Promise<CredentialEvent[]> {
  checkClientChain(client, registry.chainId)
  const query = { address: registry.address, abi: credentialRegistryAbi, args: { issuer: filter.issuer, professional: filter.professional }, fromBlock: registry.fromBlock, strict: true } as const
  const [issued, revoked] = await chainCall(() =>
    Promise.all([client.getContractEvents({ ...query, eventName: 'CredentialIssued' }), client.getContractEvents({ ...query, eventName: 'CredentialRevoked' })]),
  )
  const events: CredentialEvent[] = [
    ...issued.map((log): CredentialIssuedEvent => ({ kind: 'issued', ...log.args, roles: rolesOfBits(log.args.roles), ...placeOf(log) })),
    ...revoked.map((log): CredentialRevokedEvent => ({ kind: 'revoked', ...log.args, ...placeOf(log) })),
  ]
  for (const e of events) {
    if (filter.issuer && !isAddressEqual(e.issuer, filter.issuer)) throw new UnexpectedChainReplyError("another issuer's event")
    if (filter.professional && !isAddressEqual(e.professional, filter.professional)) throw new UnexpectedChainReplyError("another professional's event")
  }
  return events.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1))
}
