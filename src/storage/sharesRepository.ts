import { z } from 'zod'
import { utf8 } from '../domain/crypto/bytes.ts'
import { CareKeyError } from '../domain/errors.ts'
import { KEY_LENGTH, MAX_LABEL_LENGTH, SHARE_ID_PATTERN, type ShlFlag } from '../domain/shl/index.ts'
import { sealConsent, type StoredConsent } from './consentsRepository.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'
import { noteLocalChange } from './localChanges.ts'
import { SHARE_ROW_FORMAT, shareRowSchema, type ShareRow } from './rows.ts'
import { openRowPayload, readAllSealed, readOneSealed, sealRowPayload, type SealedRowKind } from './sealedRows.ts'
import { writeAllOrNothing } from './transactions.ts'

/*
 * The patient's shares (consent QR codes) on this device. Like consents, a row (ShareRow, in
 * rows.ts) is a random id, timestamps and one ciphertext under the wallet's consents key: the
 * share id (the secret part of the manifest URL), the link's key, the passcode and the encrypted
 * file all live inside it.
 */

/**
 * - `prepared`: encrypted and waiting for its grant to be recorded, then to be uploaded;
 * - `uploaded`: the host holds it;
 * - `stopped`: the patient stopped sharing (the host was told to delete it).
 */
export type ShareLifecycle = 'prepared' | 'uploaded' | 'stopped'

/** A share as this device keeps it, decrypted. */
export type StoredShare = {
  id: string
  /** The local id of the consent the share was made with. */
  consentId: string
  /** The share's id at the host: 32 random bytes, base64url, the secret part of the manifest URL. */
  hostShareId: string
  /** The share host's public URL. */
  hostUrl: string
  /** The link's key (32 bytes, base64url). */
  key: string
  /** Told to the recipient out of band; the host stores only a slow hash of it. */
  passcode: string | undefined
  label: string
  flags: ShlFlag[]
  /** The encrypted file (JWE compact), kept until sharing stops so an upload can be retried. */
  jwe: string | undefined
  /**
   * The grant behind the share, encrypted under `key` (JWE compact), uploaded with the share:
   * its link then carries no terms. Undefined for shares made before, whose link carries them.
   */
  grant: string | undefined
  /** How many records the file holds, for the screens. */
  recordCount: number
  state: ShareLifecycle
  uploadedAt: number | undefined
  stoppedAt: number | undefined
  createdAt: number
  updatedAt: number
}

export class ShareDamagedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      `A consent QR stored on this device could not be read (${detail}).`,
      'Your consents are unaffected. Revoke the consent it belongs to if you want to stop it.',
      options,
    )
  }
}

const storedShareSchema = z.object({
  v: z.literal(1),
  consentId: z.string().min(1).max(64),
  hostShareId: z.string().regex(SHARE_ID_PATTERN),
  hostUrl: z.url({ protocol: /^https?$/ }),
  key: z.string().length(KEY_LENGTH),
  passcode: z.string().max(200).optional(),
  label: z.string().refine((l) => [...l].length <= MAX_LABEL_LENGTH, `must be at most ${MAX_LABEL_LENGTH} characters`),
  flags: z.array(z.enum(['L', 'P', 'U'])),
  jwe: z.string().optional(),
  grant: z.string().optional(),
  recordCount: z.int().min(0),
  state: z.enum(['prepared', 'uploaded', 'stopped']),
  uploadedAt: z.number().optional(),
  stoppedAt: z.number().optional(),
})

type StoredShareJson = z.input<typeof storedShareSchema>

function toJson(share: StoredShare): StoredShareJson {
  return {
    v: 1,
    consentId: share.consentId,
    hostShareId: share.hostShareId,
    hostUrl: share.hostUrl,
    key: share.key,
    ...(share.passcode !== undefined && { passcode: share.passcode }),
    label: share.label,
    flags: share.flags,
    ...(share.jwe !== undefined && { jwe: share.jwe }),
    ...(share.grant !== undefined && { grant: share.grant }),
    recordCount: share.recordCount,
    state: share.state,
    ...(share.uploadedAt !== undefined && { uploadedAt: share.uploadedAt }),
    ...(share.stoppedAt !== undefined && { stoppedAt: share.stoppedAt }),
  }
}

/**
 * Encrypts a share into its row.
 *
 * @example
 * const row = await sealShare(share, key)
 */
export async function sealShare(share: StoredShare, key: CryptoKey): Promise<ShareRow> {
  const row = { format: SHARE_ROW_FORMAT, id: share.id, createdAt: share.createdAt, updatedAt: share.updatedAt } as const
  return { ...row, sealed: await sealRowPayload('share', row, utf8.encode(JSON.stringify(toJson(share))), key) }
}

/**
 * Decrypts and checks a share row; throws ShareDamagedError.
 *
 * @example
 * const share = await openShare(row, key)
 */
export async function openShare(row: ShareRow, key: CryptoKey): Promise<StoredShare> {
  let json: unknown
  try {
    json = JSON.parse(utf8.decode(await openRowPayload('share', row, key)))
  } catch (cause) {
    throw new ShareDamagedError('it fails its integrity check', { cause })
  }
  const parsed = storedShareSchema.safeParse(json)
  if (!parsed.success) throw new ShareDamagedError('its contents are not a share', { cause: parsed.error })
  const s = parsed.data
  return {
    id: row.id,
    consentId: s.consentId,
    hostShareId: s.hostShareId,
    hostUrl: s.hostUrl,
    key: s.key,
    passcode: s.passcode,
    label: s.label,
    flags: s.flags,
    jwe: s.jwe,
    grant: s.grant,
    recordCount: s.recordCount,
    state: s.state,
    uploadedAt: s.uploadedAt,
    stoppedAt: s.stoppedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

const shareRows: SealedRowKind<ShareRow, StoredShare> = { store: 'shares', rowSchema: shareRowSchema, open: openShare, damaged: ShareDamagedError }

/**
 * Every share on this device, decrypted, newest first; unreadable rows are counted.
 *
 * @example
 * const { shares } = await readShares(key)
 */
export async function readShares(key: CryptoKey): Promise<{ shares: StoredShare[]; damaged: number }> {
  const { items, damaged } = await readAllSealed(shareRows, key)
  return { shares: items, damaged }
}

/**
 * One share, decrypted; undefined when there is none with this id.
 *
 * @example
 * const share = await readShare(key, id)
 */
export function readShare(key: CryptoKey, id: string): Promise<StoredShare | undefined> {
  return readOneSealed(shareRows, key, id)
}

/**
 * Stores (adds or replaces) one share.
 *
 * @example
 * await writeShare(key, { ...share, state: 'uploaded', uploadedAt: Date.now(), updatedAt: Date.now() })
 */
export async function writeShare(key: CryptoKey, share: StoredShare): Promise<void> {
  const row = await sealShare(share, key)
  const db = await openCareKeyDb()
  await storageCall(() => db.put('shares', row))
  await noteLocalChange()
}

/**
 * Stores a new grant together with its share in one transaction: both or neither, so a grant
 * is never stored without the share it was made for.
 *
 * @example
 * await writeConsentWithShare(key, consent, share)
 */
export async function writeConsentWithShare(key: CryptoKey, consent: StoredConsent, share: StoredShare | undefined): Promise<void> {
  const [consentRow, shareRow] = await Promise.all([sealConsent(consent, key), share && sealShare(share, key)])
  const db = await openCareKeyDb()
  await storageCall(async () => {
    const tx = db.transaction(['consents', 'shares'], 'readwrite')
    await writeAllOrNothing(tx, (requests) => {
      requests.push(tx.objectStore('consents').put(consentRow))
      if (shareRow) requests.push(tx.objectStore('shares').put(shareRow))
    })
  })
  await noteLocalChange()
}

/**
 * Deletes a grant and its share together (a grant that was never recorded).
 *
 * @example
 * await deleteConsentWithShare(consent.id, consent.shareId)
 */
export async function deleteConsentWithShare(consentId: string, shareId: string | undefined): Promise<void> {
  const db = await openCareKeyDb()
  await storageCall(async () => {
    const tx = db.transaction(['consents', 'shares'], 'readwrite')
    await Promise.all([tx.objectStore('consents').delete(consentId), shareId !== undefined && tx.objectStore('shares').delete(shareId), tx.done])
  })
  await noteLocalChange()
}
