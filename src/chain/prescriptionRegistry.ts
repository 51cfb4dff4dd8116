import {
  AbiEventSignatureNotFoundError,
  BaseError,
  decodeErrorResult,
  decodeEventLog,
  isAddressEqual,
  isHex,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'
import { prescriptionRegistryAbi } from '../../contracts/generated/PrescriptionRegistry.ts'
import type { PrescriptionChainTerms } from '../domain/prescriptions/prescription.ts'
import { checkClientChain } from './clientChain.ts'
import { placeOf, type ChainPlace } from './consentRegistry.ts'
import { UnexpectedChainReplyError } from './consentRegistryErrors.ts'
import type { CareKeyError } from '../domain/errors.ts'
import { describePrescriptionRevert, toPrescriptionChainError } from './prescriptionRegistryErrors.ts'

export { prescriptionRegistryAbi }

/** The PrescriptionRegistry the app uses: its chain, its address and the block it was deployed in. */
export type PrescriptionRegistryDeployment = { chainId: number; address: Address; fromBlock: bigint }

/**
 * The prescription registry of the app's configuration, or undefined when this network has none.
 *
 * @example
 * const registry = prescriptionRegistryOf(appConfig)
 */
export function prescriptionRegistryOf(config: {
  chain: { id: number }
  prescriptionRegistry: { address: Address; fromBlock: bigint } | undefined
}): PrescriptionRegistryDeployment | undefined {
  const p = config.prescriptionRegistry
  return p && { chainId: config.chain.id, address: p.address, fromBlock: p.fromBlock }
}

async function chainCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toPrescriptionChainError(error)
  }
}

// ---------------------------------------------------------------------------------------------
// Reads

/**
 * What the registry holds for a prescription now:
 * - `unknown`: never recorded (forged, for another network, or not yet sent);
 * - `active`: something remains and it may be dispensed;
 * - `dispensed`: nothing remains (whether or not it was cancelled or expired since);
 * - `cancelled`: its prescriber cancelled it before all was dispensed;
 * - `expired`: its expiry has passed before all was dispensed.
 * `cancelled` and `remaining` are there as read, for a screen that shows them all.
 * Times are unix seconds.
 */
export type PrescriptionReading =
  | { state: 'unknown'; blockNumber: bigint | undefined }
  | {
      state: 'active' | 'dispensed' | 'expired' | 'cancelled'
      prescriber: Address
      total: number
      remaining: number
      expiry: number
      cancelled: boolean
      blockNumber: bigint | undefined
    }

export type ReadOptions = { blockNumber?: bigint }

/**
 * Reads a prescription's state by its commitment: who prescribed it, the total, what remains,
 * the expiry, and whether it was cancelled.
 *
 * @example
 * const reading = await readPrescription(client, registry, prescriptionCommitment(signed, salt))
 * if (reading.state === 'active') showRemaining(reading.remaining)
 */
export async function readPrescription(client: PublicClient, registry: PrescriptionRegistryDeployment, commitment: Hex, options: ReadOptions = {}): Promise<PrescriptionReading> {
  checkClientChain(client, registry.chainId)
  const [prescriber, total, remaining, expiry, cancelled, expired] = await chainCall(() =>
    client.readContract({ address: registry.address, abi: prescriptionRegistryAbi, functionName: 'prescriptionOf', args: [commitment], blockNumber: options.blockNumber }),
  )
  if (isAddressEqual(prescriber, zeroAddress)) {
    if (total !== 0 || remaining !== 0) throw new UnexpectedChainReplyError('a quantity without a prescription')
    return { state: 'unknown', blockNumber: options.blockNumber }
  }
  if (total === 0 || remaining > total) throw new UnexpectedChainReplyError('more remaining than prescribed')
  // Fully dispensed says the most, whatever happened after; then cancelled, then expired.
  const state = remaining === 0 ? 'dispensed' : cancelled ? 'cancelled' : expired ? 'expired' : 'active'
  return { state, prescriber, total, remaining, expiry, cancelled, blockNumber: options.blockNumber }
}

/** One dispense, from its event: which pharmacy, how much, what remained after, where and when. */
export type Dispensing = ChainPlace & { pharmacy: Address; amount: number; remaining: number; /** Unix seconds of its block. */ at: number }

/** A prescription's history on chain. */
export type PrescriptionHistory = {
  prescribed: (ChainPlace & { prescriber: Address; total: number; expiry: number; at: number }) | undefined
  dispensings: Dispensing[]
  cancelled: (ChainPlace & { at: number }) | undefined
}

/**
 * A prescription's history from the registry's events (prescribed, each dispense, cancelled),
 * oldest first, with the time of each block: what the patient's wallet shows ("dispensed 1 at
 * pharmacy 0x… on …, 1 remains").
 *
 * @example
 * const { dispensings } = await readPrescriptionHistory(client, registry, commitment)
 */
export async function readPrescriptionHistory(client: PublicClient, registry: PrescriptionRegistryDeployment, commitment: Hex): Promise<PrescriptionHistory> {
  checkClientChain(client, registry.chainId)
  const query = { address: registry.address, abi: prescriptionRegistryAbi, args: { commitment }, fromBlock: registry.fromBlock, strict: true } as const
  const [prescribed, dispensed, cancelled] = await chainCall(() =>
    Promise.all([
      client.getContractEvents({ ...query, eventName: 'Prescribed' }),
      client.getContractEvents({ ...query, eventName: 'Dispensed' }),
      client.getContractEvents({ ...query, eventName: 'PrescriptionCancelled' }),
    ]),
  )
  for (const log of [...prescribed, ...dispensed, ...cancelled]) {
    if (!isAddressEqual(log.address, registry.address) || log.args.commitment.toLowerCase() !== commitment.toLowerCase()) {
      throw new UnexpectedChainReplyError('an event of another prescription')
    }
  }
  if (prescribed.length > 1 || cancelled.length > 1) throw new UnexpectedChainReplyError('a prescription recorded or cancelled twice')
  const blocks = [...new Set([...prescribed, ...dispensed, ...cancelled].map((l) => placeOf(l).blockNumber))]
  const times = new Map(
    await chainCall(() => Promise.all(blocks.map(async (blockNumber) => [blockNumber, Number((await client.getBlock({ blockNumber })).timestamp)] as const))),
  )
  const at = (place: ChainPlace) => {
    const t = times.get(place.blockNumber)
    if (t === undefined) throw new UnexpectedChainReplyError('a block without a time')
    return t
  }
  const first = prescribed[0]
  const cancel = cancelled[0]
  const dispensings = dispensed
    .map((log): Dispensing => {
      const place = placeOf(log)
      return { pharmacy: log.args.pharmacy, amount: log.args.amount, remaining: log.args.remaining, ...place, at: at(place) }
    })
    .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1))
  return {
    prescribed: first && { prescriber: first.args.prescriber, total: first.args.total, expiry: first.args.expiry, ...placeOf(first), at: at(placeOf(first)) },
    dispensings,
    cancelled: cancel && { ...placeOf(cancel), at: at(placeOf(cancel)) },
  }
}

// ---------------------------------------------------------------------------------------------
// Writes: parameters for wagmi's useWriteContract or viem's writeContract.

/**
 * The write that records a prescription; the prescriber's own account sends it (it must hold a
 * valid prescriber credential).
 *
 * @example
 * await writeContractAsync(prescribeRequest(registry, prescriptionCommitment(signed, salt), prescriptionChainTerms(signed.request)))
 */
export function prescribeRequest(registry: PrescriptionRegistryDeployment, commitment: Hex, terms: PrescriptionChainTerms) {
  return {
    address: registry.address,
    abi: prescriptionRegistryAbi,
    functionName: 'prescribe',
    args: [commitment, terms.total, terms.expiry],
    chainId: registry.chainId,
  } as const
}

/**
 * The write that dispenses `amount` units; the pharmacy's own account sends it (it must hold a
 * valid pharmacy credential). One transaction: what remains drops by `amount`, or nothing
 * happens and the registry says why.
 *
 * @example
 * await writeContractAsync(dispenseRequest(registry, commitment, 1))
 */
export function dispenseRequest(registry: PrescriptionRegistryDeployment, commitment: Hex, amount: number) {
  return { address: registry.address, abi: prescriptionRegistryAbi, functionName: 'dispense', args: [commitment, amount], chainId: registry.chainId } as const
}

/**
 * The write that cancels a prescription; its prescriber's account sends it.
 *
 * @example
 * await writeContractAsync(cancelPrescriptionRequest(registry, commitment))
 */
export function cancelPrescriptionRequest(registry: PrescriptionRegistryDeployment, commitment: Hex) {
  return { address: registry.address, abi: prescriptionRegistryAbi, functionName: 'cancel', args: [commitment], chainId: registry.chainId } as const
}

/**
 * The Dispensed event of `commitment` in a mined dispense receipt: proof of what was dispensed
 * and what remains. Throws UnexpectedChainReplyError when the receipt holds none (reverted).
 *
 * @example
 * const { remaining } = dispensedFromReceipt(registry, receipt, commitment)
 */
export function dispensedFromReceipt(registry: PrescriptionRegistryDeployment, receipt: TransactionReceipt, commitment: Hex): Omit<Dispensing, 'at'> {
  if (receipt.status !== 'success') throw new UnexpectedChainReplyError('a dispense that was reverted')
  for (const log of receipt.logs) {
    if (!isAddressEqual(log.address, registry.address)) continue
    let decoded
    try {
      decoded = decodeEventLog({ abi: prescriptionRegistryAbi, data: log.data, topics: log.topics, strict: true })
    } catch (error) {
      // An event this ABI does not declare cannot be the registry's: skip it, and nothing else.
      if (error instanceof AbiEventSignatureNotFoundError) continue
      throw new UnexpectedChainReplyError('an event log that does not decode', { cause: error })
    }
    if (decoded.eventName === 'Dispensed' && decoded.args.commitment.toLowerCase() === commitment.toLowerCase()) {
      return { pharmacy: decoded.args.pharmacy, amount: decoded.args.amount, remaining: decoded.args.remaining, ...placeOf(log) }
    }
  }
  throw new UnexpectedChainReplyError('a dispense receipt without its event')
}

/**
 * Why a mined prescription transaction (prescribe, dispense, cancel) was reverted, in words: it
 * is replayed on the state of its block, and the registry's custom error decoded. For two
 * pharmacies that dispensed the last unit in one block, the one that lost reads "Nothing
 * remains on this prescription". Undefined when the replay goes through (the state changed
 * since) or the revert is not one of the registry's errors.
 *
 * @example
 * if (receipt.status === 'reverted') throw (await whyPrescriptionTransactionReverted(client, registry, receipt)) ?? new Error('reverted')
 */
export async function whyPrescriptionTransactionReverted(
  client: PublicClient,
  registry: PrescriptionRegistryDeployment,
  receipt: TransactionReceipt,
): Promise<CareKeyError | undefined> {
  checkClientChain(client, registry.chainId)
  if (!receipt.to || !isAddressEqual(receipt.to, registry.address)) throw new UnexpectedChainReplyError('a transaction to another contract')
  const tx = await chainCall(() => client.getTransaction({ hash: receipt.transactionHash }))
  try {
    await client.call({ account: tx.from, to: registry.address, data: tx.input, blockNumber: receipt.blockNumber })
  } catch (error) {
    const data = revertDataOf(error)
    if (data === undefined) throw toPrescriptionChainError(error)
    try {
      const decoded = decodeErrorResult({ abi: prescriptionRegistryAbi, data })
      return describePrescriptionRevert(decoded.errorName, decoded.args ?? [])
    } catch {
      // Not one of the registry's errors (for example out of gas): no words for it here.
      return undefined
    }
  }
  return undefined
}

function revertDataOf(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined
  let data: Hex | undefined
  error.walk((e) => {
    const candidate: unknown = typeof e === 'object' && e !== null && 'data' in e ? e.data : undefined
    if (typeof candidate === 'string' && isHex(candidate) && candidate.length >= 10) data = candidate
    return false
  })
  return data
}
