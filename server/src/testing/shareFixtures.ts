/**
 * Helpers shared by the share host's tests: accounts, a FHIR bundle, and a patient who makes a
 * share through the real client, the way the app does.
 */
import { keccak256, toHex, type Address, type Hex } from 'viem'
import { mnemonicToAccount, type HDAccount } from 'viem/accounts'
import {
  createShare,
  type FetchLike,
  type PatientSigner,
  type RecipientSigner,
  type ShareHostTarget,
} from '../../../src/shareHost/client.ts'
import {
  careKeyGrantAtHost,
  encodeShlink,
  encryptShareFile,
  encryptShareGrant,
  manifestUrlFor,
  newShareId,
  newShareKey,
  type ShareGrant,
  type ShlFlag,
  type ShlPayloadInput,
} from '../../../src/domain/shl/index.ts'

export const TEST_MNEMONIC = 'test test test test test test test test test test test junk'

/** anvil's well-known development accounts (public keys: tests only). */
export function testAccount(index: number): HDAccount {
  return mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index })
}

export function signerOf(account: HDAccount): PatientSigner & RecipientSigner {
  // viem's signTypedData is generic over the typed data, so it signs both kinds of request.
  return { address: account.address, signTypedData: account.signTypedData }
}

/** A small FHIR bundle with a name and an allergy, so that "no plaintext" checks have something to look for. */
export function sampleBundle(note = 'Penicillin'): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { resource: { resourceType: 'Patient', name: [{ family: 'Lovelace', given: ['Ada'] }] } },
      { resource: { resourceType: 'AllergyIntolerance', code: { text: note } } },
    ],
  }
}

/** A stand-in commitment for tests where the chain is faked. */
export function fakeCommitment(label: string): Hex {
  return keccak256(toHex(label))
}

export type MadeShare = {
  id: string
  key: string
  manifestUrl: string
  /** The plain `shlink:/…` link (with `"_ck":2` when the share has a grant). */
  link: string
  payload: ShlPayloadInput
  bundle: Record<string, unknown>
  jwe: string
}

/** Encrypts a bundle under a fresh key and stores it as a new share, signed by the patient. */
export async function makeShare(
  target: ShareHostTarget,
  patient: PatientSigner,
  options: {
    commitment: Hex
    patientAddress?: Address
    passcode?: string
    bundle?: Record<string, unknown>
    expiresAt?: number
    /** The grant's period, for the host to check with `statusOfGrant`. */
    grantPeriod?: { validFrom: number; validUntil: number }
    flags?: ShlFlag[]
    extensions?: ShlPayloadInput['extensions']
    /** The grant to store beside the manifest, encrypted under the share's key, as the app does. */
    grant?: ShareGrant
  },
): Promise<MadeShare> {
  const id = newShareId()
  const key = newShareKey()
  const bundle = options.bundle ?? sampleBundle()
  const jwe = await encryptShareFile(JSON.stringify(bundle), key)
  await createShare(target, patient, {
    id,
    patient: options.patientAddress ?? patient.address,
    commitment: options.commitment,
    ...(options.passcode !== undefined && { passcode: options.passcode }),
    ...(options.expiresAt !== undefined && { expiresAt: options.expiresAt }),
    ...(options.grantPeriod && options.grantPeriod),
    files: [{ contentType: 'application/fhir+json', jwe }],
    ...(options.grant && { grant: await encryptShareGrant(options.grant, key) }),
  })
  const manifestUrl = manifestUrlFor(target.hostUrl, id)
  const extensions = options.extensions ?? (options.grant && careKeyGrantAtHost())
  const payload: ShlPayloadInput = {
    url: manifestUrl,
    key,
    flags: options.flags ?? (options.passcode !== undefined ? ['P'] : []),
    ...(extensions && { extensions }),
  }
  return { id, key, manifestUrl, link: encodeShlink(payload), payload, bundle, jwe }
}

/** `fetch` that POSTs a manifest request the way any viewer would. */
export function postManifest(fetchImpl: FetchLike, url: string, body: unknown): Promise<Response> {
  return fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}
