import type { Address, PublicClient } from 'viem'
import { isAddressEqual } from 'viem'
import { CareKeyError } from '../../domain/errors.ts'
import { bearerSecretMatches, granteeAddress, type GrantStatus } from '../../domain/consent/index.ts'
import { checkSharedBundle, type SharedBundleCheck } from '../../domain/share/sharedBundle.ts'
import { decodeShlink, readCareKeyExtension, type CareKeyShareInfo, type DecodedShlink } from '../../domain/shl/index.ts'
import {
  commitmentIn,
  findGrantRecord,
  readGrantStatus,
  type ChainPlace,
  type ConsentRegistryDeployment,
} from '../../chain/consentRegistry.ts'
import { openShareLink, type OpenShareOptions } from '../../shareHost/client.ts'

export class LinkForAnotherNetworkError extends CareKeyError {
  constructor(chainId: number, registry: Address, expected: ConsentRegistryDeployment) {
    super(
      `This consent is recorded on chain ${chainId} (registry ${registry}), but this CareKey viewer checks chain ${expected.chainId} (registry ${expected.address}), so it cannot verify it.`,
      'Open the link in the CareKey viewer the patient’s app points to (the address in front of #shlink:/).',
    )
  }
}

export class BearerSecretMismatchError extends CareKeyError {
  constructor() {
    super(
      'This link does not carry the secret its consent was granted to, so it was not made by the patient’s app or was altered.',
      'Ask the patient to show their consent QR code again.',
    )
  }
}

export class NoSharedRecordsError extends CareKeyError {
  constructor() {
    super('The share holds no health records this viewer can show.', 'Ask the patient to share again.')
  }
}

/** A scanned or pasted link, read: the payload and, for CareKey links, the grant behind it. */
export type ViewerLink = { link: DecodedShlink; carekey: CareKeyShareInfo | undefined }

/**
 * Reads the link in the page's address (`#shlink:/…`). Throws the SHL parser's CareKeyErrors
 * (naming the field and the problem) for a malformed link, and BearerSecretMismatchError when
 * a "whoever holds this QR" grant's secret is missing or wrong.
 */
export function readViewerLink(hash: string): ViewerLink {
  const link = decodeShlink(hash.replace(/^#/, ''))
  const carekey = readCareKeyExtension(link.payload)
  if (carekey && granteeAddress(carekey.terms.grantee) === undefined) {
    if (!carekey.bearerSecret || !bearerSecretMatches(carekey.terms.grantee, carekey.bearerSecret)) throw new BearerSecretMismatchError()
  }
  return { link, carekey }
}

/** The grant behind a CareKey link, as the chain says now. */
export type SharedGrant = {
  status: GrantStatus
  /** Where it was recorded and revoked (absent when the chain has no such grant). */
  granted: ChainPlace | undefined
  revoked: ChainPlace | undefined
}

/**
 * Checks the grant of a CareKey link on chain: its status for the exact terms in the link
 * (so terms that claim a longer validity read as unknown), and the transactions that recorded
 * and revoked it.
 */
export async function readSharedGrant(client: PublicClient, registry: ConsentRegistryDeployment, info: CareKeyShareInfo): Promise<SharedGrant> {
  if (info.chainId !== registry.chainId || !isAddressEqual(info.registry, registry.address)) {
    throw new LinkForAnotherNetworkError(info.chainId, info.registry, registry)
  }
  const [{ status }, record] = await Promise.all([
    readGrantStatus(client, registry, info.terms),
    findGrantRecord(client, registry, info.terms.patient, commitmentIn(registry, info.terms)),
  ])
  return { status, granted: record?.granted, revoked: record?.revoked }
}

/** What the clinician sees once the share is open: the records and the checks against the grant. */
export type OpenedRecords = SharedBundleCheck & {
  /** The exact decrypted file, for "Download FHIR JSON". */
  plaintext: Uint8Array
}

/**
 * Fetches the share from its host (with the clinician's name, passcode and optional wallet
 * proof), decrypts it with the link's key and checks it against the grant. Throws the share
 * host client's CareKeyErrors (wrong passcode with attempts left, not available, host
 * unreachable, unreadable file), or NoSharedRecordsError.
 */
export async function openSharedRecords(viewer: ViewerLink, options: OpenShareOptions): Promise<OpenedRecords> {
  const { files } = await openShareLink(viewer.link.payload, options)
  const fhir = files.find((f) => f.contentType === 'application/fhir+json')
  if (!fhir) throw new NoSharedRecordsError()
  const check = await checkSharedBundle(fhir.plaintext, viewer.carekey?.terms)
  return { ...check, plaintext: fhir.plaintext }
}
