import type { Address, PublicClient } from 'viem'
import { isAddressEqual } from 'viem'
import { CareKeyError } from '../../domain/errors.ts'
import { bearerSecretMatches, granteeAddress, type GrantStatus } from '../../domain/consent/index.ts'
import { checkSharedBundle, type SharedBundleCheck } from '../../domain/share/sharedBundle.ts'
import {
  decodeShlink,
  hasFlag,
  readCareKeyExtension,
  type CareKeyLinkPart,
  type CareKeyShareInfo,
  type DecodedShlink,
} from '../../domain/shl/index.ts'
import {
  commitmentIn,
  findGrantRecord,
  readGrantStatus,
  type ChainPlace,
  type ConsentRegistryDeployment,
} from '../../chain/consentRegistry.ts'
import { toChainError } from '../../chain/errors.ts'
import { readTransactionSender } from '../../chain/transactionSender.ts'
import {
  fetchShareGrant,
  listShareFiles,
  ShareLockedError,
  ShareNotAvailableError,
  WrongSharePasscodeError,
  type FetchLike,
  type ListedShareFile,
  type OpenShareOptions,
  type RecipientSigner,
} from '../../shareHost/client.ts'

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

/** The link's share host is not one this CareKey may connect to (its content security policy). */
export class ShareHostNotReachableError extends CareKeyError {
  constructor(readonly host: string) {
    super(
      `This link points to a share host CareKey is not set up to reach (${host}).`,
      'Open it in the viewer of the app that made it (the address in front of #shlink:/), or ask the patient to share it from their CareKey.',
    )
  }
}

export class NoSharedRecordsError extends CareKeyError {
  constructor() {
    super('The share holds no health records this viewer can show.', 'Ask the patient to share again.')
  }
}

/** A scanned or pasted link, read: the payload and, for CareKey links, where the grant behind it is (in the link, or at its share host). */
export type ReadLink = { link: DecodedShlink; carekey: CareKeyLinkPart | undefined }

/** A link with the grant behind it (for CareKey links) read and its bearer secret checked: what the viewer checks on chain, shows and opens. */
export type ViewerLink = {
  link: DecodedShlink
  carekey: CareKeyShareInfo | undefined
  /** The patient's label for the share: from the grant at the host, else from the link. */
  label: string | undefined
}

/**
 * Reads a link the viewer holds (`shlink:/…`, or `#shlink:/…` as it was in the address). Throws the SHL parser's CareKeyErrors
 * (naming the field and the problem) for a malformed link, and BearerSecretMismatchError when
 * a "whoever holds this QR" grant carried in the link comes without its secret or a wrong one.
 */
export function readViewerLink(hash: string): ReadLink {
  const link = decodeShlink(hash.replace(/^#/, ''))
  const carekey = readCareKeyExtension(link.payload)
  if (carekey?.grant === 'in-link') checkBearerSecret(carekey.info)
  return { link, carekey }
}

/**
 * The link with the grant it carries, for every link but those whose grant is at the share host
 * (undefined: read it with readLinkGrant).
 *
 * @example
 * const viewer = grantInLink(read) ?? (await readLinkGrant(deps, read))
 */
export function grantInLink(read: ReadLink): ViewerLink | undefined {
  if (read.carekey?.grant === 'at-host') return undefined
  return { link: read.link, carekey: read.carekey?.info, label: read.link.payload.label }
}

/** What reading the grant of a link at its share host needs: the network, and the origins this viewer may reach. */
export type ReadLinkGrantDeps = Pick<OpenSharedLinkDeps, 'fetch' | 'reachableOrigins'>

/**
 * The link with the grant behind it, read before anything asks for the passcode: for a link
 * whose grant is at its share host, fetches it from beside the manifest (no passcode), decrypts
 * it with the link's key and checks its bearer secret; any other link as it is. Throws
 * ShareHostNotReachableError (a host outside `reachableOrigins`, before any request), the share
 * host client's CareKeyErrors (ShareGrantMissingError, ShareGrantUnreadableError,
 * ShareGrantTooLargeError, unreachable, busy, too slow) or BearerSecretMismatchError.
 *
 * @example
 * const viewer = await readLinkGrant({ reachableOrigins }, readViewerLink(held.text))
 * viewer.carekey?.terms.patient // the patient who granted
 */
export async function readLinkGrant(deps: ReadLinkGrantDeps, read: ReadLink): Promise<ViewerLink> {
  const inLink = grantInLink(read)
  if (inLink) return inLink
  const { payload } = read.link
  checkReachable(deps, payload.url)
  const { label, ...info } = await fetchShareGrant(payload, { ...(deps.fetch && { fetch: deps.fetch }) })
  checkBearerSecret(info)
  return { link: read.link, carekey: info, label: label ?? payload.label }
}

/** A "whoever holds this QR" grant must come with the secret whose hash is its grantee. */
function checkBearerSecret(info: CareKeyShareInfo): void {
  if (granteeAddress(info.terms.grantee) !== undefined) return
  if (!info.bearerSecret || !bearerSecretMatches(info.terms.grantee, info.bearerSecret)) throw new BearerSecretMismatchError()
}

/** The browser refuses any origin outside the content security policy: say so, by name, before any request. */
function checkReachable(deps: Pick<OpenSharedLinkDeps, 'reachableOrigins'>, url: string): void {
  const host = new URL(url)
  if (deps.reachableOrigins && !deps.reachableOrigins.includes(host.origin)) throw new ShareHostNotReachableError(host.host)
}

/** The grant behind a CareKey link, as the chain says now. */
export type SharedGrant = {
  status: GrantStatus
  /** Where it was recorded and revoked (absent when the chain has no such grant). */
  granted: ChainPlace | undefined
  revoked: ChainPlace | undefined
  /**
   * Whether the patient's address in the terms is a one-time address: the grant was signed by
   * its own key and sent by another address (the sponsor, or an account paying for it). From
   * the chain, not from the link; undefined when the chain has no such grant.
   */
  oneTimeAddress: boolean | undefined
}

/**
 * Checks the grant of a CareKey link on chain: its status for the exact terms in the link
 * (so terms that claim a longer validity read as unknown), the transactions that recorded
 * and revoked it, and who sent the recording one (another address than the terms' patient:
 * the patient's address is a one-time address).
 *
 * @example
 * const grant = await readSharedGrant(client, registry, carekey)
 * grant.oneTimeAddress // true for a grant the sponsor recorded
 */
export async function readSharedGrant(client: PublicClient, registry: ConsentRegistryDeployment, info: CareKeyShareInfo): Promise<SharedGrant> {
  if (info.chainId !== registry.chainId || !isAddressEqual(info.registry, registry.address)) {
    throw new LinkForAnotherNetworkError(info.chainId, info.registry, registry)
  }
  const [{ status }, record] = await Promise.all([
    readGrantStatus(client, registry, info.terms),
    findGrantRecord(client, registry, info.terms.patient, commitmentIn(registry, info.terms)),
  ])
  if (!record) return { status, granted: undefined, revoked: undefined, oneTimeAddress: undefined }
  const sender = await readTransactionSender(client, record.granted.transactionHash)
  return { status, granted: record.granted, revoked: record.revoked, oneTimeAddress: !isAddressEqual(sender, info.terms.patient) }
}

/** What the clinician sees once the share is open: the records of one file and the checks against the grant. */
export type OpenedRecords = SharedBundleCheck & {
  /** The exact decrypted file, for "Download FHIR JSON". */
  plaintext: Uint8Array
  /** The records (FHIR) files the share lists, in its order; only the one shown was fetched and decrypted. */
  recordFiles: readonly ListedShareFile[]
  /** Which of `recordFiles` this is. */
  shown: number
}

/**
 * Asks the share's host for its list of files (with the clinician's name, passcode and optional
 * wallet proof), then fetches and decrypts only the first records file and checks it against the
 * grant; the others stay unopened until asked for (openRecordsFile). Throws the share host
 * client's CareKeyErrors (wrong passcode with attempts left, not available, host unreachable or
 * too slow, too many or too large files, unreadable file), or NoSharedRecordsError.
 */
export async function openSharedRecords(viewer: ViewerLink, options: OpenShareOptions): Promise<OpenedRecords> {
  const { files } = await listShareFiles(viewer.link.payload, { ...options, ...(viewer.carekey && { carekey: viewer.carekey }) })
  const recordFiles = files.filter((f) => f.contentType === 'application/fhir+json')
  if (recordFiles.length === 0) throw new NoSharedRecordsError()
  return openRecordsFile(viewer, recordFiles, 0)
}

/**
 * Shows another records file of an opened share: fetches and decrypts that file alone and checks
 * it against the grant (the one shown before is let go). Throws the share host client's
 * CareKeyErrors, or a FHIR parse error.
 *
 * @example
 * const next = await openRecordsFile(viewer, opened.recordFiles, 1)
 */
export async function openRecordsFile(viewer: ViewerLink, recordFiles: readonly ListedShareFile[], index: number): Promise<OpenedRecords> {
  const file = recordFiles[index]
  if (!file) throw new RangeError(`no records file ${index} in a share of ${recordFiles.length}`)
  const opened = await file.open()
  const check = await checkSharedBundle(opened, viewer.carekey?.terms)
  return { ...check, plaintext: opened.plaintext, recordFiles, shown: index }
}

/** What opening a shared link needs besides the link: the clinician's wallet, the network, a clock. */
export type OpenSharedLinkDeps = {
  /**
   * The clinician's wallet, connected on demand, for signing a proof of their address (asked
   * only when they chose to and the link is CareKey's); undefined when there is no wallet.
   */
  connectRecipient?: () => Promise<RecipientSigner | undefined>
  fetch?: FetchLike
  /** Unix milliseconds, for the expiry of the address proof; Date.now by default. */
  clock?: () => number
  /**
   * The origins this viewer may connect to (its own, and `connectOrigins(appConfig)`): the browser
   * refuses any other, so a link to another share host is refused before any request, with a
   * reason. Unset: no check (tests with a fake fetch).
   */
  reachableOrigins?: readonly string[]
}

export type OpenSharedLinkRequest = {
  viewer: ViewerLink
  /** Who is opening it, as the patient will read it in their access log. */
  recipient: string
  /** Sent only when the link says it needs one (flag P). */
  passcode: string
  /** The clinician asked to prove their address with their wallet. */
  proveAddress: boolean
}

/**
 * The viewer's open step: connects the clinician's wallet when they asked to prove their
 * address, fetches the share from its host (with their name and the passcode), decrypts it with
 * the link's key and checks it against the grant. Every failure is a CareKeyError:
 * WrongSharePasscodeError (with the attempts left), ShareNotAvailableError (stopped, ended,
 * locked, or its consent inactive), ShareHostUnreachableError, ShareHostTimeoutError,
 * ShareHostBusyError, ShareHostReplyError, ShareTooManyFilesError, ShareFileTooLargeError,
 * ShareFileUnreadableError (wrong key, not JSON), NoSharedRecordsError, a FHIR parse error,
 * SignatureRejectedError when the wallet declines the proof, or ShareHostNotReachableError
 * for a share host outside `reachableOrigins`. Only the first records file is decrypted; the
 * others wait for openRecordsFile.
 *
 * @example
 * const opened = await openSharedLink({ connectRecipient }, { viewer, recipient: 'Dr. Ada Lovelace', passcode: '', proveAddress: false })
 * if (opened.data === 'mismatch') showTampered()
 */
export async function openSharedLink(deps: OpenSharedLinkDeps, request: OpenSharedLinkRequest): Promise<OpenedRecords> {
  const { viewer } = request
  checkReachable(deps, viewer.link.payload.url)
  const recipientSigner = request.proveAddress && viewer.carekey ? await deps.connectRecipient?.() : undefined
  try {
    return await openSharedRecords(viewer, {
      recipient: request.recipient.trim(),
      ...(hasFlag(viewer.link.payload, 'P') && { passcode: request.passcode }),
      ...(recipientSigner && { recipientSigner }),
      ...(deps.fetch && { fetch: deps.fetch }),
      ...(deps.clock && { clock: deps.clock }),
    })
  } catch (error) {
    throw toChainError(error)
  }
}

/**
 * Why a share the clinician tried to open will never open with this link: 'locked' (too many
 * wrong passcodes: the host says so, or the last wrong one used up the attempts) or 'closed'
 * (stopped, ended at the host, or its consent no longer active there); undefined when trying
 * again may help.
 *
 * @example
 * closesShareForGood(new WrongSharePasscodeError(0, true)) // 'locked'
 */
export function closesShareForGood(error: unknown): 'locked' | 'closed' | undefined {
  if (error instanceof ShareLockedError) return 'locked'
  if (error instanceof WrongSharePasscodeError && error.remainingAttempts === 0) return 'locked'
  if (error instanceof ShareNotAvailableError) return 'closed'
  return undefined
}
