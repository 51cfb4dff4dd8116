import { z } from 'zod'
import { utf8 } from '../domain/crypto/bytes.ts'
import { open, seal, sealedSchema, type Sealed } from '../domain/crypto/envelope.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'
import { storageKeyFor } from './appKeys.ts'

/*
 * The last known chain reads (the balance, grants' statuses), kept on this device so that they
 * can be shown offline. Public data one by one, but together they name the wallet's addresses
 * and its grants' commitments: they are one AES-256-GCM ciphertext in the settings table, under
 * a key derived from the wallet ('last-known-reads/v1'), written and read only while unlocked.
 * Versions before this one kept them in plain text under another name; that entry is deleted.
 */

/** The settings entry of the sealed reads. */
const SEALED_SETTING = 'lastKnownChainReads.sealed'
/** Where older versions kept the reads unencrypted. */
const PLAIN_SETTING = 'lastKnownChainReads'
const LAST_KNOWN_READS_FORMAT = 1
const ASSOCIATED_DATA = `carekey-setting:${SEALED_SETTING}:v${LAST_KNOWN_READS_FORMAT}`

/** The reads at rest: one ciphertext. */
export type SealedLastKnownReads = { format: typeof LAST_KNOWN_READS_FORMAT; sealed: Sealed }

const sealedReadsSchema = z.object({ format: z.literal(LAST_KNOWN_READS_FORMAT), sealed: sealedSchema })

/**
 * The AES-256-GCM key of the last known reads, derived from the wallet's root key material
 * (HKDF label 'last-known-reads/v1'), once per unlocked wallet.
 *
 * @example
 * const key = await lastKnownReadsStorageKey(keys.root)
 */
export const lastKnownReadsStorageKey = storageKeyFor('last-known-reads/v1')

// Chain reads hold bigints (balances, block numbers), which JSON has no form for.
const BIGINT_TAG = '$bigint'
const encode = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { [BIGINT_TAG]: v.toString() } : v))
const decode = (text: string): unknown =>
  JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v
    const entries = Object.entries(v)
    const [tag, digits] = entries[0] ?? []
    return entries.length === 1 && tag === BIGINT_TAG && typeof digits === 'string' && /^-?\d{1,100}$/.test(digits) ? BigInt(digits) : v
  })

/**
 * Encrypts the reads (any value of JSON data and bigints). Encrypt first, then write with
 * storeSealedLastKnownReads: no transaction waits on WebCrypto.
 *
 * @example
 * await storeSealedLastKnownReads(await sealLastKnownReads(key, reads))
 */
export async function sealLastKnownReads(key: CryptoKey, reads: unknown): Promise<SealedLastKnownReads> {
  return { format: LAST_KNOWN_READS_FORMAT, sealed: await seal(key, utf8.encode(encode(reads)), ASSOCIATED_DATA) }
}

/** Replaces the stored reads with these. */
export async function storeSealedLastKnownReads(reads: SealedLastKnownReads): Promise<void> {
  const db = await openCareKeyDb()
  await storageCall(() => db.put('settings', reads, SEALED_SETTING))
}

/**
 * The stored reads, decrypted; undefined when there are none, or when they cannot be trusted
 * (damaged, or sealed by another wallet): a cache for offline display is dropped, never
 * repaired, and the next read from the chain replaces it. The caller validates the value.
 *
 * @example
 * const reads = parseLastKnownReads(await readLastKnownReads(key))
 */
export async function readLastKnownReads(key: CryptoKey): Promise<unknown> {
  const db = await openCareKeyDb()
  const row = sealedReadsSchema.safeParse(await storageCall(() => db.get('settings', SEALED_SETTING)))
  if (!row.success) return undefined
  try {
    return decode(utf8.decode(await open(key, row.data.sealed, ASSOCIATED_DATA)))
  } catch {
    return undefined
  }
}

/** Deletes the unencrypted reads an older version of CareKey kept. */
export async function deleteUnencryptedLastKnownReads(): Promise<void> {
  const db = await openCareKeyDb()
  await storageCall(() => db.delete('settings', PLAIN_SETTING))
}
