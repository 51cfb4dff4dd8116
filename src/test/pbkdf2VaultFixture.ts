/**
 * Test support (never bundled): a vault exactly as CareKey stored it before Argon2id (format 1,
 * PBKDF2-SHA256 at 600,000 iterations), sealed by that version's code and frozen here, so the
 * tests prove that real old vaults still open rather than ones today's code makes up.
 */
import { fromBase64Url } from '../domain/crypto/bytes.ts'

export const PBKDF2_VAULT_PHRASE = 'test test test test test test test test test test test junk'
export const PBKDF2_VAULT_PASSPHRASE = 'correct horse battery staple'

/** A new copy each call (tests change it). Its values are as IndexedDB gives them back. */
export function pbkdf2VaultRecord() {
  return {
    format: 1,
    kdf: { name: 'PBKDF2-SHA256', iterations: 600_000, salt: fromBase64Url('1V3LbkGyMWJqOTP7Kxz1Aw') },
    check: fromBase64Url('PDE6TBCV0x8VvhO38iSfsfcQSWh_u4-4itK-ZoO-kGc'),
    iv: fromBase64Url('T1heKShUPR61Jotf'),
    ciphertext: fromBase64Url('f155afph8dmWTOrg-djRiWUnprfKOUdkh1p6_ITrtm8rMiy1kaFo1TT-r4kEwNlqTn4O2GoFjMEHLNxBmClQw8WlZ0rj8AmojuVS'),
    createdAt: 1_793_491_200_000,
    updatedAt: 1_793_491_200_000,
  }
}
