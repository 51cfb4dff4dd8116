import {
  AbiEventSignatureNotFoundError,
  decodeEventLog,
  isAddressEqual,
  type Address,
  type ContractFunctionArgs,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'
import { consentRegistryAbi } from '../../contracts/generated/ConsentRegistry.ts'
import { grantCommitment, type RegistryLocation } from '../domain/consent/commitment.ts'
import { grantStatusFromChain, type GrantStatus } from '../domain/consent/grantStatus.ts'
import type { CompactGrantSignature, SignedGrantMessage, SignedRevokeMessage } from '../domain/consent/grantSignature.ts'
import type { GrantTerms } from '../domain/consent/terms.ts'
import { ConsentTransactionFailedError, toConsentChainError, UnexpectedChainReplyError } from './consentRegistryErrors.ts'

// The domain's GrantTerms must stay the contract's struct, field for field, both ways.
type AbiGrantTerms = ContractFunctionArgs<typeof consentRegistryAbi, 'view', 'commitmentOf'>[0]
const _termsFitTheAbi = (terms: GrantTerms): AbiGrantTerms => terms
const _abiFitsTheTerms = (terms: AbiGrantTerms): GrantTerms => terms

export { consentRegistryAbi }

/** The ConsentRegistry the app uses: its chain, its address and the block it was deployed in. */
export type ConsentRegistryDeployment = {
  chainId: number
  address: Address
  /** Event scans start here (the deployment block); nothing of the registry is older. */
  fromBlock: bigint
}

/**
 * The registry of the app's configuration.
 *
 * @example
 * const registry = consentRegistryOf(appConfig)
 */
export function consentRegistryOf(config: {
  chain: { id: number }
  consentRegistry: Address
  consentRegistryBlock: bigint
}): ConsentRegistryDeployment {
  return { chainId: config.chain.id, address: config.consentRegistry, fromBlock: config.consentRegistryBlock }
}

function locationOf(registry: ConsentRegistryDeployment): RegistryLocation {
  return { chainId: registry.chainId, registry: registry.address }
}

/**
 * The commitment of these terms in this registry (what the grant transaction records).
 *
 * @example
 * const commitment = commitmentIn(registry, terms)
 */
export function commitmentIn(registry: ConsentRegistryDeployment, terms: GrantTerms): Hex {
  return grantCommitment(terms, locationOf(registry))
}

// ---------------------------------------------------------------------------------------------
// Reads

export type GrantStatusReading = {
  status: GrantStatus
  /** The commitment the status is for (computed on this device from the terms). */
  commitment: Hex
  /** The block the status was read at, when the read was pinned to one. */
  blockNumber: bigint | undefined
}

export type CommitmentStatusReading = {
  /** Never `pending`: the commitment alone does not say when validity starts. */
  status: Exclude<GrantStatus, 'pending'>
  /** The end of validity recorded with the grant (unix seconds), or undefined when unknown. */
  recordedUntil: bigint | undefined
  blockNumber: bigint | undefined
}

export type ReadOptions = {
  /** Read at this block (for example to answer many requests from one block); latest when absent. */
  blockNumber?: bigint
}

/**
 * Reads whether the grant with these terms is active, revoked, expired, pending or unknown.
 * The commitment is computed on this device and only it and the period are sent to the RPC
 * node (`statusOfGrant`), so the node never sees the grantee, scope, purpose or salt.
 * Throws CareKeyErrors (network down, registry not found, an impossible reply).
 *
 * @example
 * const { status } = await readGrantStatus(publicClient, consentRegistryOf(appConfig), terms)
 * if (status === 'active') showVerifiedBanner()
 */
export async function readGrantStatus(
  client: PublicClient,
  registry: ConsentRegistryDeployment,
  terms: GrantTerms,
  options: ReadOptions = {},
): Promise<GrantStatusReading> {
  checkClientChain(client, registry)
  const commitment = commitmentIn(registry, terms)
  const raw = await chainCall(() =>
    client.readContract({
      address: registry.address,
      abi: consentRegistryAbi,
      functionName: 'statusOfGrant',
      args: [terms.patient, commitment, terms.validFrom, terms.validUntil],
      blockNumber: options.blockNumber,
    }),
  )
  return { status: parseStatus(raw), commitment, blockNumber: options.blockNumber }
}

/**
 * Reads what the registry holds for one patient's commitment: its status (without the
 * pending state, which needs the terms) and the recorded end of validity. For a patient's own
 * list and for a share host that knows only the commitment.
 *
 * @example
 * const { status, recordedUntil } = await readCommitmentStatus(publicClient, registry, patient, commitment)
 */
export async function readCommitmentStatus(
  client: PublicClient,
  registry: ConsentRegistryDeployment,
  patient: Address,
  commitment: Hex,
  options: ReadOptions = {},
): Promise<CommitmentStatusReading> {
  checkClientChain(client, registry)
  const [raw, validUntil] = await chainCall(() =>
    client.readContract({
      address: registry.address,
      abi: consentRegistryAbi,
      functionName: 'statusOfCommitment',
      args: [patient, commitment],
      blockNumber: options.blockNumber,
    }),
  )
  const status = parseStatus(raw)
  if (status === 'pending') throw new UnexpectedChainReplyError('a pending status without terms')
  if ((status === 'unknown') !== (validUntil === 0n)) throw new UnexpectedChainReplyError('a status that does not match its end of validity')
  return { status, recordedUntil: status === 'unknown' ? undefined : validUntil, blockNumber: options.blockNumber }
}

function parseStatus(raw: number): GrantStatus {
  const status = grantStatusFromChain(raw)
  if (status === undefined) throw new UnexpectedChainReplyError(`status ${raw}`)
  return status
}

function checkClientChain(client: PublicClient, registry: ConsentRegistryDeployment) {
  // A client for another chain would read another chain's state and call every grant unknown.
  if (client.chain && client.chain.id !== registry.chainId) {
    throw new Error(`The public client is for chain ${client.chain.id}, the registry is on chain ${registry.chainId}`)
  }
}

async function chainCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toConsentChainError(error)
  }
}

// ---------------------------------------------------------------------------------------------
// Writes: parameters for wagmi's useWriteContract (mutate / mutateAsync) or viem's writeContract.
// `chainId` makes wagmi refuse to send from a wallet on another network (WrongNetworkError).

/** The most grants CareKey sends in one grantBatch transaction. */
export const MAX_GRANT_BATCH = 50

/**
 * The write that records one grant.
 *
 * @example
 * const { mutateAsync } = useWriteContract()
 * const hash = await mutateAsync(grantRequest(registry, terms))
 */
export function grantRequest(registry: ConsentRegistryDeployment, terms: GrantTerms) {
  return {
    address: registry.address,
    abi: consentRegistryAbi,
    functionName: 'grant',
    args: [commitmentIn(registry, terms), terms.validUntil],
    chainId: registry.chainId,
  } as const
}

/**
 * The write that records several grants in one transaction (all or none).
 *
 * @example
 * await mutateAsync(grantBatchRequest(registry, [termsA, termsB]))
 */
export function grantBatchRequest(registry: ConsentRegistryDeployment, terms: readonly GrantTerms[]) {
  if (terms.length === 0 || terms.length > MAX_GRANT_BATCH) {
    throw new RangeError(`A grant batch holds 1 to ${MAX_GRANT_BATCH} grants, not ${terms.length}`)
  }
  return {
    address: registry.address,
    abi: consentRegistryAbi,
    functionName: 'grantBatch',
    args: [terms.map((t) => commitmentIn(registry, t)), terms.map((t) => t.validUntil)],
    chainId: registry.chainId,
  } as const
}

/**
 * The write that revokes one of the connected patient's grants. It needs only the commitment.
 *
 * @example
 * await mutateAsync(revokeRequest(registry, grant.commitment))
 */
export function revokeRequest(registry: ConsentRegistryDeployment, commitment: Hex) {
  return {
    address: registry.address,
    abi: consentRegistryAbi,
    functionName: 'revoke',
    args: [commitment],
    chainId: registry.chainId,
  } as const
}

/**
 * The write that records a grant signed by its per-grant key (`grantBySig`), sent and paid
 * for by whichever account sends it: the patient's own when the sponsor cannot help.
 *
 * @example
 * const { r, vs } = compactGrantSignature(await grantKey.signTypedData(grantTypedData(location, message)))
 * await mutateAsync(grantBySigRequest(registry, message, { r, vs }))
 */
export function grantBySigRequest(registry: ConsentRegistryDeployment, message: SignedGrantMessage, signature: CompactGrantSignature) {
  return {
    address: registry.address,
    abi: consentRegistryAbi,
    functionName: 'grantBySig',
    args: [message.commitment, message.validUntil, message.deadline, signature.r, signature.vs],
    chainId: registry.chainId,
  } as const
}

/**
 * The write that revokes a grant with its per-grant key's signature (`revokeBySig`).
 *
 * @example
 * await mutateAsync(revokeBySigRequest(registry, message, compactGrantSignature(signature)))
 */
export function revokeBySigRequest(registry: ConsentRegistryDeployment, message: SignedRevokeMessage, signature: CompactGrantSignature) {
  return {
    address: registry.address,
    abi: consentRegistryAbi,
    functionName: 'revokeBySig',
    args: [message.commitment, message.deadline, signature.r, signature.vs],
    chainId: registry.chainId,
  } as const
}

// ---------------------------------------------------------------------------------------------
// Events: from receipts, and a patient's history from logs.

/** Where on chain something happened. */
export type ChainPlace = { transactionHash: Hex; blockNumber: bigint; logIndex: number }

/** Where a mined event log is; a log without a block (not mined) is not a reply the app can use. */
export function placeOf(log: { transactionHash: Hex | null; blockNumber: bigint | null; logIndex: number | null }): ChainPlace {
  if (log.transactionHash === null || log.blockNumber === null || log.logIndex === null) throw new UnexpectedChainReplyError('an event log from a block that is not mined')
  return { transactionHash: log.transactionHash, blockNumber: log.blockNumber, logIndex: log.logIndex }
}

export type ConsentGrantedEvent = ChainPlace & { kind: 'granted'; patient: Address; commitment: Hex; validUntil: bigint }
export type ConsentRevokedEvent = ChainPlace & { kind: 'revoked'; patient: Address; commitment: Hex }
export type ConsentRegistryEvent = ConsentGrantedEvent | ConsentRevokedEvent

/**
 * The registry's events in a mined transaction's receipt, in log order; logs of other
 * contracts are ignored. Throws ConsentTransactionFailedError if the transaction reverted.
 *
 * @example
 * const receipt = await waitForTransactionReceipt(config, { hash })
 * decodeConsentReceipt(registry, receipt) // [{ kind: 'granted', commitment, validUntil, blockNumber, ... }]
 */
export function decodeConsentReceipt(registry: ConsentRegistryDeployment, receipt: TransactionReceipt): ConsentRegistryEvent[] {
  if (receipt.status !== 'success') throw new ConsentTransactionFailedError('the transaction was reverted')
  const events: ConsentRegistryEvent[] = []
  for (const log of receipt.logs) {
    if (!isAddressEqual(log.address, registry.address)) continue
    const event = decodeRegistryLog(log)
    if (event) events.push(event)
  }
  return events
}

/**
 * The ConsentGranted event of `commitment` in a grant (or batch) receipt: proof the grant is
 * recorded, with its transaction and block. Throws ConsentTransactionFailedError otherwise.
 *
 * @example
 * const granted = grantFromReceipt(registry, receipt, commitmentIn(registry, terms))
 * showConfirmed(granted.transactionHash, granted.blockNumber)
 */
export function grantFromReceipt(registry: ConsentRegistryDeployment, receipt: TransactionReceipt, commitment: Hex): ConsentGrantedEvent {
  const event = decodeConsentReceipt(registry, receipt).find(
    (e): e is ConsentGrantedEvent => e.kind === 'granted' && e.commitment.toLowerCase() === commitment.toLowerCase(),
  )
  if (!event) throw new ConsentTransactionFailedError('the transaction did not record this consent')
  return event
}

/**
 * The ConsentRevoked event of `commitment` in a revoke receipt. Throws
 * ConsentTransactionFailedError otherwise.
 *
 * @example
 * const revoked = revokeFromReceipt(registry, receipt, grant.commitment)
 */
export function revokeFromReceipt(registry: ConsentRegistryDeployment, receipt: TransactionReceipt, commitment: Hex): ConsentRevokedEvent {
  const event = decodeConsentReceipt(registry, receipt).find(
    (e): e is ConsentRevokedEvent => e.kind === 'revoked' && e.commitment.toLowerCase() === commitment.toLowerCase(),
  )
  if (!event) throw new ConsentTransactionFailedError('the transaction did not revoke this consent')
  return event
}

type RawLog = {
  address: Address
  data: Hex
  topics: [] | [Hex, ...Hex[]]
  transactionHash: Hex | null
  blockNumber: bigint | null
  logIndex: number | null
}

function decodeRegistryLog(log: RawLog): ConsentRegistryEvent | undefined {
  let decoded
  try {
    decoded = decodeEventLog({ abi: consentRegistryAbi, data: log.data, topics: log.topics, strict: true })
  } catch (error) {
    // An event this ABI does not declare cannot come from the registry's code: ignore nothing else.
    if (error instanceof AbiEventSignatureNotFoundError) return undefined
    throw new UnexpectedChainReplyError('an event log that does not decode', { cause: error })
  }
  const place = placeOf(log)
  return decoded.eventName === 'ConsentGranted'
    ? { kind: 'granted', ...decoded.args, ...place }
    : { kind: 'revoked', ...decoded.args, ...place }
}

/** One grant of a patient, as the registry's events tell it. */
export type PatientGrantRecord = {
  /** The address that made the grant (a per-grant key, or a patient's main account). */
  patient: Address
  commitment: Hex
  /** The recorded end of validity (unix seconds). */
  validUntil: bigint
  granted: ChainPlace
  /** Set once the patient revoked it. */
  revoked: ChainPlace | undefined
}

export type ListGrantsOptions = {
  /** Scan up to this block (inclusive); the latest block when absent. */
  toBlock?: bigint
  /**
   * Split the scan into requests of at most this many blocks, for RPC providers that limit
   * eth_getLogs ranges. One request when absent.
   */
  maxBlockRange?: bigint
}

/**
 * Every grant that one or several addresses recorded in the registry, oldest first, with its
 * revocation if any, from the ConsentGranted and ConsentRevoked events since the registry's
 * deployment block (one query per event kind for all the addresses: the patient is indexed).
 * A wallet restored on a new device finds its grants again this way (the terms themselves
 * come from the backup). Returns the last block scanned, to continue from later.
 *
 * @example
 * const { grants, toBlock } = await listPatientGrants(publicClient, registry, account.address)
 */
export async function listPatientGrants(
  client: PublicClient,
  registry: ConsentRegistryDeployment,
  patients: Address | readonly Address[],
  options: ListGrantsOptions = {},
): Promise<{ grants: PatientGrantRecord[]; toBlock: bigint }> {
  checkClientChain(client, registry)
  const asked = typeof patients === 'string' ? [patients] : [...patients]
  const toBlock = options.toBlock ?? (await chainCall(() => client.getBlockNumber({ cacheTime: 0 })))
  if (asked.length === 0 || toBlock < registry.fromBlock) return { grants: [], toBlock }
  const step = options.maxBlockRange ?? toBlock - registry.fromBlock + 1n
  if (step <= 0n) throw new RangeError('maxBlockRange must be positive')
  const isAsked = (address: Address) => asked.some((a) => isAddressEqual(a, address))

  const events: ConsentRegistryEvent[] = []
  for (let from = registry.fromBlock; from <= toBlock; from += step) {
    const to = from + step - 1n < toBlock ? from + step - 1n : toBlock
    const query = { address: registry.address, abi: consentRegistryAbi, args: { patient: asked }, fromBlock: from, toBlock: to, strict: true } as const
    const [granted, revoked] = await chainCall(() =>
      Promise.all([
        client.getContractEvents({ ...query, eventName: 'ConsentGranted' }),
        client.getContractEvents({ ...query, eventName: 'ConsentRevoked' }),
      ]),
    )
    for (const log of [...granted, ...revoked]) {
      if (!isAddressEqual(log.address, registry.address)) throw new UnexpectedChainReplyError('an event of another contract')
      if (log.blockNumber < from || log.blockNumber > to) throw new UnexpectedChainReplyError('an event outside the blocks asked for')
      const event = decodeRegistryLog(log)
      if (!event || !isAsked(event.patient)) throw new UnexpectedChainReplyError("another patient's event")
      events.push(event)
    }
  }

  events.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1))
  const grants = new Map<string, PatientGrantRecord>()
  for (const event of events) {
    const key = `${event.patient.toLowerCase()}:${event.commitment.toLowerCase()}`
    const place = { transactionHash: event.transactionHash, blockNumber: event.blockNumber, logIndex: event.logIndex }
    const known = grants.get(key)
    if (event.kind === 'granted') {
      if (known) throw new UnexpectedChainReplyError('a grant recorded twice')
      grants.set(key, { patient: event.patient, commitment: event.commitment, validUntil: event.validUntil, granted: place, revoked: undefined })
    } else {
      if (!known || known.revoked) throw new UnexpectedChainReplyError('a revocation without its grant')
      known.revoked = place
    }
  }
  return { grants: [...grants.values()], toBlock }
}

/** How many unused grant keys in a row end the search, as in BIP-44 account discovery. */
export const GRANT_KEY_GAP_LIMIT = 20

/**
 * Finds the grants made with a wallet's per-grant keys, from the phrase alone: asks for the
 * events of grant keys 0 to 19, then the next 20 after the highest one used, and so on,
 * until 20 keys in a row have no grant (the gap limit). Returns the grants with the index of
 * the key that made each, and the first index never used.
 *
 * @example
 * const { grants, nextIndex } = await discoverGrantKeys(client, registry, (i) => keys.grantAccount(i).address)
 */
export async function discoverGrantKeys(
  client: PublicClient,
  registry: ConsentRegistryDeployment,
  addressAt: (index: number) => Address,
  options: ListGrantsOptions & { gapLimit?: number } = {},
): Promise<{ grants: (PatientGrantRecord & { keyIndex: number })[]; nextIndex: number; toBlock: bigint }> {
  const gapLimit = options.gapLimit ?? GRANT_KEY_GAP_LIMIT
  const toBlock = options.toBlock ?? (await chainCall(() => client.getBlockNumber({ cacheTime: 0 })))
  const found: (PatientGrantRecord & { keyIndex: number })[] = []
  let nextIndex = 0
  let start = 0
  // Each round asks for the keys from `start` up to `gapLimit` past the highest one used.
  while (start < nextIndex + gapLimit) {
    const indexes = Array.from({ length: nextIndex + gapLimit - start }, (_, i) => start + i)
    const addresses = indexes.map(addressAt)
    const { grants } = await listPatientGrants(client, registry, addresses, { ...options, toBlock })
    for (const grant of grants) {
      const at = addresses.findIndex((a) => isAddressEqual(a, grant.patient))
      const keyIndex = indexes[at]
      if (keyIndex === undefined) throw new UnexpectedChainReplyError("another patient's event")
      found.push({ ...grant, keyIndex })
      nextIndex = Math.max(nextIndex, keyIndex + 1)
    }
    start = indexes.length > 0 ? (indexes.at(-1) ?? start) + 1 : start
  }
  found.sort((a, b) => a.keyIndex - b.keyIndex)
  return { grants: found, nextIndex, toBlock }
}

/**
 * Where one grant was recorded (and revoked, if it was): a targeted event query by patient and
 * commitment, both indexed. Undefined when the chain has no such grant.
 *
 * @example
 * const record = await findGrantRecord(client, registry, terms.patient, commitmentIn(registry, terms))
 * record?.granted.transactionHash
 */
export async function findGrantRecord(
  client: PublicClient,
  registry: ConsentRegistryDeployment,
  patient: Address,
  commitment: Hex,
): Promise<PatientGrantRecord | undefined> {
  checkClientChain(client, registry)
  const query = { address: registry.address, abi: consentRegistryAbi, args: { patient, commitment }, fromBlock: registry.fromBlock, strict: true } as const
  const [granted, revoked] = await chainCall(() =>
    Promise.all([client.getContractEvents({ ...query, eventName: 'ConsentGranted' }), client.getContractEvents({ ...query, eventName: 'ConsentRevoked' })]),
  )
  const decode = (log: RawLog) => {
    if (!isAddressEqual(log.address, registry.address)) throw new UnexpectedChainReplyError('an event of another contract')
    const event = decodeRegistryLog(log)
    if (!event || !isAddressEqual(event.patient, patient) || event.commitment.toLowerCase() !== commitment.toLowerCase()) {
      throw new UnexpectedChainReplyError('an event of another grant')
    }
    return event
  }
  const grant = granted.map(decode).find((e) => e.kind === 'granted')
  if (!grant || grant.kind !== 'granted') return undefined
  const revocation = revoked.map(decode).find((e) => e.kind === 'revoked')
  const place = (e: ChainPlace): ChainPlace => ({ transactionHash: e.transactionHash, blockNumber: e.blockNumber, logIndex: e.logIndex })
  return { patient, commitment: grant.commitment, validUntil: grant.validUntil, granted: place(grant), revoked: revocation && place(revocation) }
}
