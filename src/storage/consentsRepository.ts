import type { Consent } from '@medplum/fhirtypes'
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { grantCommitment } from '../domain/consent/commitment.ts'
import { parseAddress, type GranteeChoice } from '../domain/consent/grantee.ts'
import { parseConsentScope, type ConsentScope } from '../domain/consent/scope.ts'
import { grantTermsToJson, parseGrantTerms, type GrantTerms } from '../domain/consent/terms.ts'
import { utf8 } from '../domain/crypto/bytes.ts'
import { CareKeyError } from '../domain/errors.ts'
import { addressSchema, bytes32Schema, hexSchema } from '../domain/hex.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'
import { noteLocalChange } from './localChanges.ts'
import { CONSENT_ROW_FORMAT, consentRowSchema, type ConsentRow } from './rows.ts'
import { openRowPayload, readAllSealed, readOneSealed, sealRowPayload, type SealedRowKind } from './sealedRows.ts'
import { storageKeyFor } from './appKeys.ts'

/*
 * The patient's consent grants on this device. A row (ConsentRow, in rows.ts) holds a random id,
 * its timestamps and one AES-256-GCM ciphertext of everything else (terms with their salt, the
 * bearer secret, the FHIR Consent, transaction hashes), under a key derived from the wallet
 * ('consents/v1'), so that restoring the recovery phrase opens them again. The ciphertext is
 * padded and bound to the row's id and timestamps (format 1 rows, from before, to the id only).
 */

/**
 * Where a grant is in its life on this device (the chain has the last word on its status):
 * - `signing`: stored before the wallet was asked to sign; nothing may have been sent;
 * - `submitted`: the transaction was sent (its hash is known), not yet confirmed;
 * - `recorded`: a receipt showed the ConsentGranted event;
 * - `failed`: the transaction was mined but reverted.
 */
export type ConsentLifecycle = 'signing' | 'submitted' | 'recorded' | 'failed'

/** Who paid for a grant's transaction: the share host's sponsor relay, or the patient's account. */
export type ConsentSender = 'sponsor' | 'account'

/** A transaction, with its block once it is known to be mined. */
export type ConsentTransaction = { hash: Hex; blockNumber: bigint | undefined }

/** A consent grant as this device keeps it, decrypted. */
export type StoredConsent = {
  id: string
  /** The chain and registry the grant is recorded in. */
  chainId: number
  registry: Address
  terms: GrantTerms
  /** Computed from the terms and the registry when read, never trusted from storage. */
  commitment: Hex
  scope: ConsentScope
  /** For a bearer grant, the secret whose hash is the grantee: it is worth the grant itself. */
  grantee: GranteeChoice
  /** A name the patient gave the recipient, for their own list (never on chain). */
  granteeName: string | undefined
  /** The FHIR R4 Consent resource matching the grant. */
  resource: Consent
  state: ConsentLifecycle
  grantTx: ConsentTransaction | undefined
  revokeTx: ConsentTransaction | undefined
  /** Why the transaction failed, in words, for a `failed` grant. */
  failure: string | undefined
  /** The local id of the share made with this grant, if any. */
  shareId: string | undefined
  /**
   * Which per-grant key made the grant (WalletKeys.grantAccount(index)); undefined for a grant
   * made from the patient's main account or a browser wallet, which can be linked on chain.
   */
  grantKeyIndex: number | undefined
  /** Who sent the grant's transaction: CareKey's sponsor, or the patient's own account. */
  sentBy: ConsentSender | undefined
  createdAt: number
  updatedAt: number
}

/** A stored consent that cannot be read: changed on disk, or written for another wallet. */
export class ConsentDamagedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      `A consent stored on this device could not be read (${detail}).`,
      'Your other consents are unaffected. Its status is still on the network, listed under "Found on the network".',
      options,
    )
  }
}

/**
 * The AES-256-GCM key that seals consents and shares on this device, derived from the wallet's
 * root key material (HKDF label 'consents/v1'), once per unlocked wallet.
 *
 * @example
 * const key = await consentsStorageKey(keys.root)
 */
export const consentsStorageKey = storageKeyFor('consents/v1')

const blockSchema = z
  .string()
  .regex(/^\d{1,20}$/)
  .transform((v) => BigInt(v))
const transactionSchema = z.object({ hash: hexSchema, blockNumber: blockSchema.optional() })
const consentResourceSchema = z.custom<Consent>(
  (v) => typeof v === 'object' && v !== null && 'resourceType' in v && v.resourceType === 'Consent',
  'must be a FHIR Consent',
)

const storedConsentSchema = z.object({
  v: z.literal(1),
  chainId: z.int().positive(),
  registry: addressSchema,
  terms: z.unknown().transform((t) => parseGrantTerms(t)),
  scope: z.unknown().transform((s) => parseConsentScope(s)),
  grantee: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('address'), address: z.string().transform((a) => parseAddress(a, 'grantee')) }),
    z.object({ kind: z.literal('bearer'), secret: bytes32Schema }),
  ]),
  granteeName: z.string().max(200).optional(),
  resource: consentResourceSchema,
  state: z.enum(['signing', 'submitted', 'recorded', 'failed']),
  grantTx: transactionSchema.optional(),
  revokeTx: transactionSchema.optional(),
  failure: z.string().max(500).optional(),
  shareId: z.string().max(64).optional(),
  grantKeyIndex: z.int().min(0).max(2 ** 31 - 1).optional(),
  sentBy: z.enum(['sponsor', 'account']).optional(),
})

type StoredConsentJson = z.input<typeof storedConsentSchema>

function toJson(consent: StoredConsent): StoredConsentJson {
  const tx = (t: ConsentTransaction | undefined) => t && { hash: t.hash, ...(t.blockNumber !== undefined && { blockNumber: t.blockNumber.toString() }) }
  return {
    v: 1,
    chainId: consent.chainId,
    registry: consent.registry,
    terms: grantTermsToJson(consent.terms),
    scope: consent.scope,
    grantee: consent.grantee,
    ...(consent.granteeName !== undefined && { granteeName: consent.granteeName }),
    resource: consent.resource,
    state: consent.state,
    ...(consent.grantTx && { grantTx: tx(consent.grantTx) }),
    ...(consent.revokeTx && { revokeTx: tx(consent.revokeTx) }),
    ...(consent.failure !== undefined && { failure: consent.failure }),
    ...(consent.shareId !== undefined && { shareId: consent.shareId }),
    ...(consent.grantKeyIndex !== undefined && { grantKeyIndex: consent.grantKeyIndex }),
    ...(consent.sentBy !== undefined && { sentBy: consent.sentBy }),
  }
}

/**
 * Encrypts a consent into its row. Encrypt first, then open a transaction to write it.
 *
 * @example
 * const row = await sealConsent(consent, await consentsStorageKey(keys.root))
 */
export async function sealConsent(consent: StoredConsent, key: CryptoKey): Promise<ConsentRow> {
  const row = { format: CONSENT_ROW_FORMAT, id: consent.id, createdAt: consent.createdAt, updatedAt: consent.updatedAt } as const
  return { ...row, sealed: await sealRowPayload('consent', row, utf8.encode(JSON.stringify(toJson(consent))), key) }
}

/**
 * Decrypts and checks a consent row. Throws ConsentDamagedError when it cannot be opened or
 * does not hold a consent CareKey can read.
 *
 * @example
 * const consent = await openConsent(row, key)
 */
export async function openConsent(row: ConsentRow, key: CryptoKey): Promise<StoredConsent> {
  let json: unknown
  try {
    json = JSON.parse(utf8.decode(await openRowPayload('consent', row, key)))
  } catch (cause) {
    throw new ConsentDamagedError('it fails its integrity check', { cause })
  }
  let parsed: z.output<typeof storedConsentSchema>
  try {
    parsed = storedConsentSchema.parse(json)
  } catch (cause) {
    throw new ConsentDamagedError('its contents are not a consent', { cause })
  }
  const location = { chainId: parsed.chainId, registry: parsed.registry }
  return {
    id: row.id,
    chainId: parsed.chainId,
    registry: parsed.registry,
    terms: parsed.terms,
    commitment: grantCommitment(parsed.terms, location),
    scope: parsed.scope,
    grantee: parsed.grantee,
    granteeName: parsed.granteeName,
    resource: parsed.resource,
    state: parsed.state,
    grantTx: parsed.grantTx && { hash: parsed.grantTx.hash, blockNumber: parsed.grantTx.blockNumber },
    revokeTx: parsed.revokeTx && { hash: parsed.revokeTx.hash, blockNumber: parsed.revokeTx.blockNumber },
    failure: parsed.failure,
    shareId: parsed.shareId,
    grantKeyIndex: parsed.grantKeyIndex,
    sentBy: parsed.sentBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

const consentRows: SealedRowKind<ConsentRow, StoredConsent> = {
  store: 'consents',
  rowSchema: consentRowSchema,
  open: openConsent,
  damaged: ConsentDamagedError,
}

/**
 * Every consent on this device, decrypted, newest first. A row that cannot be read is counted
 * in `damaged` rather than hiding the others.
 *
 * @example
 * const { consents, damaged } = await readConsents(key)
 */
export async function readConsents(key: CryptoKey): Promise<{ consents: StoredConsent[]; damaged: number }> {
  const { items, damaged } = await readAllSealed(consentRows, key)
  return { consents: items, damaged }
}

/**
 * One consent, decrypted; undefined when there is none with this id.
 *
 * @example
 * const consent = await readConsent(key, id)
 */
export function readConsent(key: CryptoKey, id: string): Promise<StoredConsent | undefined> {
  return readOneSealed(consentRows, key, id)
}

/**
 * Stores (adds or replaces) one consent.
 *
 * @example
 * await writeConsent(key, { ...consent, state: 'recorded', updatedAt: Date.now() })
 */
export async function writeConsent(key: CryptoKey, consent: StoredConsent): Promise<void> {
  const row = await sealConsent(consent, key)
  const db = await openCareKeyDb()
  await storageCall(() => db.put('consents', row))
  await noteLocalChange()
}

/**
 * Deletes one consent (and nothing else).
 *
 * @example
 * await deleteConsentRow(id)
 */
export async function deleteConsentRow(id: string): Promise<void> {
  const db = await openCareKeyDb()
  await storageCall(() => db.delete('consents', id))
  await noteLocalChange()
}
