import { getAddress, hashTypedData, isAddress, isAddressEqual, isHex, recoverTypedDataAddress, slice, type Address, type Hex, type LocalAccount } from 'viem'
import { z } from 'zod'
import { CareKeyError } from '../errors.ts'
import { PROFESSIONAL_ROLES, roleBits, type ProfessionalRole } from './roles.ts'

/**
 * A professional's credential document: a W3C Verifiable Credential (Data Model 2.0) that a
 * licensing body signs with an EIP-712 proof (the EthereumEip712Signature2021 form), so that
 * other credential wallets can read it. The professional keeps the document; the
 * CredentialRegistry keeps its hash (`credentialDocumentHash`), the roles and the period.
 */

/** Where credentials are registered: the chain and its CredentialRegistry. */
export type CredentialRegistryLocation = { chainId: number; registry: Address }

/** The VC 2.0 base context and the context of the EIP-712 signature suite. */
export const CREDENTIAL_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://w3id.org/security/suites/eip712sig-2021/v1'] as const
export const CREDENTIAL_TYPE = ['VerifiableCredential', 'ProfessionalLicenceCredential'] as const

/** The EIP-712 domain name of credential documents. */
export const CREDENTIAL_DOMAIN_NAME = 'CareKey Professional Credential'
export const CREDENTIAL_DOMAIN_VERSION = '1'

/** EIP-712 types of the credential (the document without its proof). */
export const CREDENTIAL_EIP712_TYPES = {
  ProfessionalCredential: [
    { name: '@context', type: 'string[]' },
    { name: 'type', type: 'string[]' },
    { name: 'issuer', type: 'Issuer' },
    { name: 'validFrom', type: 'string' },
    { name: 'validUntil', type: 'string' },
    { name: 'credentialSubject', type: 'CredentialSubject' },
  ],
  Issuer: [
    { name: 'id', type: 'string' },
    { name: 'name', type: 'string' },
  ],
  CredentialSubject: [
    { name: 'id', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'licenceNumber', type: 'string' },
    { name: 'jurisdiction', type: 'string' },
    { name: 'role', type: 'string[]' },
  ],
} as const

export type CredentialSubject = {
  /** The professional's address as a did:pkh. */
  id: string
  name: string
  licenceNumber: string
  jurisdiction: string
  role: ProfessionalRole[]
}

/** The credential before its proof: what the issuer signs. */
export type UnsignedCredential = {
  '@context': string[]
  type: string[]
  issuer: { id: string; name: string }
  /** XML Schema dateTime in UTC, whole seconds ("2026-01-01T00:00:00Z"). */
  validFrom: string
  validUntil: string
  credentialSubject: CredentialSubject
}

export type CredentialEip712Domain = { name: string; version: string; chainId: number; verifyingContract: Address }

export type CredentialProof = {
  type: 'EthereumEip712Signature2021'
  created: string
  proofPurpose: 'assertionMethod'
  /** The issuer's did:pkh with `#blockchainAccountId`. */
  verificationMethod: string
  /** The issuer's 65-byte EIP-712 signature. */
  proofValue: Hex
  eip712: { domain: CredentialEip712Domain; types: typeof CREDENTIAL_EIP712_TYPES; primaryType: 'ProfessionalCredential' }
}

/** A signed credential document, as the professional holds it. */
export type ProfessionalCredential = UnsignedCredential & { proof: CredentialProof }

/** A credential document that is malformed, tampered with or signed by someone else. */
export class InvalidCredentialError extends CareKeyError {
  constructor(problem: string, options?: ErrorOptions) {
    super(`This credential is not valid: ${problem}.`, 'Ask the licensing body for the credential document again.', options)
  }
}

/** A credential signed for another chain or registry than the app uses. */
export class CredentialForAnotherNetworkError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This credential was issued for another network than CareKey uses here.', 'Ask the licensing body for a credential on this network.', options)
  }
}

/**
 * The did:pkh of an address on a chain (CAIP-10).
 *
 * @example
 * didPkh(31337, '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f') // 'did:pkh:eip155:31337:0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f'
 */
export function didPkh(chainId: number, address: Address): string {
  return `did:pkh:eip155:${chainId}:${getAddress(address)}`
}

/**
 * The chain id and address of a did:pkh, or undefined when it is not an eip155 did:pkh.
 *
 * @example
 * parseDidPkh('did:pkh:eip155:1:0xab…') // { chainId: 1, address: '0xAb…' }
 */
export function parseDidPkh(did: string): { chainId: number; address: Address } | undefined {
  const match = /^did:pkh:eip155:(\d{1,15}):(0x[0-9a-fA-F]{40})$/.exec(did)
  if (!match?.[1] || !match[2] || !isAddress(match[2], { strict: false })) return undefined
  return { chainId: Number(match[1]), address: getAddress(match[2]) }
}

/** Unix seconds as a VC dateTime ("2026-01-01T00:00:00Z"). */
export function credentialDateTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

/** A VC dateTime in UTC with whole seconds as unix seconds, or undefined. */
function secondsOf(dateTime: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(dateTime)) return undefined
  const ms = Date.parse(dateTime)
  return Number.isFinite(ms) ? ms / 1000 : undefined
}

/** The largest unix time the registry stores (uint32: early 2106). */
const MAX_CHAIN_TIME = 2 ** 32 - 1

export type CredentialDetails = {
  chainId: number
  issuer: { address: Address; name: string }
  professional: Address
  name: string
  licenceNumber: string
  jurisdiction: string
  roles: readonly ProfessionalRole[]
  /** Unix seconds. */
  validFrom: number
  validUntil: number
}

/**
 * The credential document for these details, before the issuer signs it.
 *
 * @example
 * const unsigned = buildCredential({ chainId: 31337, issuer: { address: body, name: 'Medical Board' }, professional,
 *   name: 'Dr. Ada Lovelace', licenceNumber: 'MB-1234', jurisdiction: 'GB', roles: ['clinician', 'prescriber'],
 *   validFrom: now, validUntil: now + 365 * 86_400 })
 */
export function buildCredential(details: CredentialDetails): UnsignedCredential {
  if (details.roles.length === 0) throw new InvalidCredentialError('it names no role')
  if (!(details.validFrom < details.validUntil) || details.validFrom < 0 || details.validUntil > MAX_CHAIN_TIME) {
    throw new InvalidCredentialError('its validity period is empty or out of range')
  }
  return {
    '@context': [...CREDENTIAL_CONTEXT],
    type: [...CREDENTIAL_TYPE],
    issuer: { id: didPkh(details.chainId, details.issuer.address), name: details.issuer.name },
    validFrom: credentialDateTime(details.validFrom),
    validUntil: credentialDateTime(details.validUntil),
    credentialSubject: {
      id: didPkh(details.chainId, details.professional),
      name: details.name,
      licenceNumber: details.licenceNumber,
      jurisdiction: details.jurisdiction,
      // In bit order, without repeats: one set of roles has one document.
      role: PROFESSIONAL_ROLES.filter((r) => details.roles.includes(r)),
    },
  }
}

/**
 * The EIP-712 domain of credential documents: bound to the chain and the CredentialRegistry.
 *
 * @example
 * credentialDomain({ chainId: 31337, registry })
 */
export function credentialDomain(location: CredentialRegistryLocation): CredentialEip712Domain {
  return { name: CREDENTIAL_DOMAIN_NAME, version: CREDENTIAL_DOMAIN_VERSION, chainId: location.chainId, verifyingContract: getAddress(location.registry) }
}

function typedDataOf(credential: UnsignedCredential, domain: CredentialEip712Domain) {
  const { '@context': context, type, issuer, validFrom, validUntil, credentialSubject } = credential
  return {
    domain,
    types: CREDENTIAL_EIP712_TYPES,
    primaryType: 'ProfessionalCredential',
    message: { '@context': context, type, issuer, validFrom, validUntil, credentialSubject },
  } as const
}

/**
 * The credential document's hash, recorded on chain by `CredentialRegistry.issue`: the EIP-712
 * digest the issuer signs. The proof is not part of it, so any encoding of the same document
 * (whitespace, key order) has the same hash.
 *
 * @example
 * const documentHash = credentialDocumentHash(unsigned, location)
 */
export function credentialDocumentHash(credential: UnsignedCredential, location: CredentialRegistryLocation): Hex {
  return hashTypedData(typedDataOf(credential, credentialDomain(location)))
}

/**
 * The issuer signs the document: returns it with its EIP-712 proof. The signer must be the
 * issuer the document names.
 *
 * @example
 * const credential = await signCredential(licensingBodyAccount, unsigned, location, new Date())
 */
export async function signCredential(
  signer: Pick<LocalAccount, 'address' | 'signTypedData'>,
  credential: UnsignedCredential,
  location: CredentialRegistryLocation,
  created: Date,
): Promise<ProfessionalCredential> {
  const issuer = parseDidPkh(credential.issuer.id)
  if (!issuer || !isAddressEqual(issuer.address, signer.address)) throw new InvalidCredentialError('it names another issuer than the one signing it')
  const domain = credentialDomain(location)
  const proofValue = await signer.signTypedData(typedDataOf(credential, domain))
  return {
    ...credential,
    proof: {
      type: 'EthereumEip712Signature2021',
      created: credentialDateTime(Math.floor(created.getTime() / 1000)),
      proofPurpose: 'assertionMethod',
      verificationMethod: `${credential.issuer.id}#blockchainAccountId`,
      proofValue,
      eip712: { domain, types: CREDENTIAL_EIP712_TYPES, primaryType: 'ProfessionalCredential' },
    },
  }
}

const dateTime = z.string().refine((s) => secondsOf(s) !== undefined, 'must be a UTC date and time in whole seconds, like 2026-01-01T00:00:00Z')
const did = z.string().refine((s) => parseDidPkh(s) !== undefined, 'must be a did:pkh:eip155 address')
const text = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters')
const eip712Field = z.object({ name: z.string(), type: z.string() })

const credentialSchema = z.object({
  '@context': z.array(z.string()).refine((c) => c[0] === CREDENTIAL_CONTEXT[0], `must start with ${CREDENTIAL_CONTEXT[0]}`),
  type: z.array(z.string()).refine((t) => t.includes('VerifiableCredential'), 'must include VerifiableCredential'),
  issuer: z.object({ id: did, name: text }),
  validFrom: dateTime,
  validUntil: dateTime,
  credentialSubject: z.object({
    id: did,
    name: text,
    licenceNumber: text,
    jurisdiction: text,
    role: z.array(z.enum(PROFESSIONAL_ROLES)).min(1, 'must name at least one role'),
  }),
  proof: z.object({
    type: z.literal('EthereumEip712Signature2021'),
    created: dateTime,
    proofPurpose: z.literal('assertionMethod'),
    verificationMethod: z.string(),
    proofValue: z.custom<Hex>((v) => typeof v === 'string' && isHex(v) && v.length === 132, 'must be a 65-byte signature'),
    eip712: z.object({
      domain: z.object({ name: z.string(), version: z.string(), chainId: z.int().positive(), verifyingContract: z.string() }),
      types: z.record(z.string(), z.array(eip712Field)),
      primaryType: z.literal('ProfessionalCredential'),
    }),
  }),
})

/**
 * Parses a credential document from outside (a file, a QR, storage). Checks its shape only;
 * `verifyCredential` checks the signature. Throws InvalidCredentialError naming the field.
 *
 * @example
 * const credential = parseCredential(JSON.parse(text))
 */
export function parseCredential(json: unknown): ProfessionalCredential {
  const parsed = credentialSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidCredentialError(`${issue?.path.join('.') || 'the document'} ${issue?.message ?? 'is malformed'}`)
  }
  const d = parsed.data
  const { domain, types } = d.proof.eip712
  if (JSON.stringify(types) !== JSON.stringify(CREDENTIAL_EIP712_TYPES)) throw new InvalidCredentialError('its proof uses other EIP-712 types than CareKey credentials')
  if (!isAddress(domain.verifyingContract, { strict: false })) throw new InvalidCredentialError('its proof names no registry')
  return {
    '@context': d['@context'],
    type: d.type,
    issuer: d.issuer,
    validFrom: d.validFrom,
    validUntil: d.validUntil,
    credentialSubject: d.credentialSubject,
    proof: {
      ...d.proof,
      eip712: { domain: { ...domain, verifyingContract: getAddress(domain.verifyingContract) }, types: CREDENTIAL_EIP712_TYPES, primaryType: 'ProfessionalCredential' },
    },
  }
}

/** What a verified credential document says, in the registry's terms. */
export type VerifiedCredential = {
  issuer: Address
  issuerName: string
  professional: Address
  name: string
  licenceNumber: string
  jurisdiction: string
  roles: ProfessionalRole[]
  /** The registry's role bits. */
  roleBits: number
  /** Unix seconds. */
  validFrom: number
  validUntil: number
  /** The hash the registry must hold (its first 160 bits in storage, all of it in the event). */
  documentHash: Hex
}

/**
 * Checks a parsed credential document: signed for this chain and registry, by the issuer it
 * names, unchanged since. It does not say whether the registry holds it or whether it is still
 * valid: compare the result with the registry's record (`credentialMatchesRecord`).
 * Throws InvalidCredentialError or CredentialForAnotherNetworkError.
 *
 * @example
 * const verified = await verifyCredential(parseCredential(json), { chainId, registry })
 */
export async function verifyCredential(credential: ProfessionalCredential, location: CredentialRegistryLocation): Promise<VerifiedCredential> {
  const { domain } = credential.proof.eip712
  const expected = credentialDomain(location)
  if (domain.chainId !== expected.chainId || !isAddressEqual(domain.verifyingContract, expected.verifyingContract)) {
    throw new CredentialForAnotherNetworkError()
  }
  if (domain.name !== expected.name || domain.version !== expected.version) throw new InvalidCredentialError('its proof is not a CareKey credential proof')
  const issuer = parseDidPkh(credential.issuer.id)
  const professional = parseDidPkh(credential.credentialSubject.id)
  if (!issuer || !professional) throw new InvalidCredentialError('the issuer or the professional is not an address')
  if (issuer.chainId !== location.chainId || professional.chainId !== location.chainId) throw new CredentialForAnotherNetworkError()
  if (credential.proof.verificationMethod !== `${credential.issuer.id}#blockchainAccountId`) {
    throw new InvalidCredentialError('its proof names another key than its issuer')
  }
  const validFrom = secondsOf(credential.validFrom)
  const validUntil = secondsOf(credential.validUntil)
  if (validFrom === undefined || validUntil === undefined || validUntil <= validFrom || validUntil > MAX_CHAIN_TIME) {
    throw new InvalidCredentialError('its validity period is empty or out of range')
  }
  let signer: Address
  try {
    signer = await recoverTypedDataAddress({ ...typedDataOf(credential, expected), signature: credential.proof.proofValue })
  } catch (cause) {
    throw new InvalidCredentialError('its signature cannot be read', { cause })
  }
  if (!isAddressEqual(signer, issuer.address)) {
    throw new InvalidCredentialError('it was changed after it was signed, or signed by someone other than its issuer')
  }
  const roles = PROFESSIONAL_ROLES.filter((r) => credential.credentialSubject.role.includes(r))
  return {
    issuer: issuer.address,
    issuerName: credential.issuer.name,
    professional: professional.address,
    name: credential.credentialSubject.name,
    licenceNumber: credential.credentialSubject.licenceNumber,
    jurisdiction: credential.credentialSubject.jurisdiction,
    roles,
    roleBits: roleBits(roles),
    validFrom,
    validUntil,
    documentHash: credentialDocumentHash(credential, location),
  }
}

/**
 * The first 160 bits of a document hash: what the registry keeps in storage.
 *
 * @example
 * documentHashPrefix(verified.documentHash) // '0x' + 40 hex digits
 */
export function documentHashPrefix(documentHash: Hex): Hex {
  return slice(documentHash, 0, 20)
}

/** What the CredentialRegistry records for a professional (see chain/credentialRegistry.ts). */
export type CredentialRecordTerms = { issuer: Address; roleBits: number; validFrom: number; validUntil: number; documentHashPrefix: Hex }

/**
 * Whether the registry's record is the record of this verified document: same issuer, roles,
 * period and document hash (its first 160 bits, all the registry stores). A document whose
 * record was replaced (a renewal, a revoke and re-issue with other terms) does not match.
 *
 * @example
 * if (!credentialMatchesRecord(verified, reading)) show('This credential is not the one on record')
 */
export function credentialMatchesRecord(verified: VerifiedCredential, record: CredentialRecordTerms): boolean {
  return (
    isAddressEqual(verified.issuer, record.issuer) &&
    verified.roleBits === record.roleBits &&
    verified.validFrom === record.validFrom &&
    verified.validUntil === record.validUntil &&
    documentHashPrefix(verified.documentHash).toLowerCase() === record.documentHashPrefix.toLowerCase()
  )
}
