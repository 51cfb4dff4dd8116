import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import type { StoredPasscode } from './storage/shareStore.ts'

/** scrypt at 2^15 (OWASP's recommended N for r=8, p=1): tens of milliseconds per guess, 32 MiB. */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const
const KEY_LENGTH = 32

function scrypt(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 }
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

/** A slow, salted hash of a share's passcode. The passcode itself is never stored. */
export async function hashPasscode(passcode: string, allowedFailures: number): Promise<StoredPasscode> {
  const salt = randomBytes(16)
  const hash = await scrypt(passcode, salt, PARAMS)
  return {
    algorithm: 'scrypt',
    ...PARAMS,
    salt: salt.toString('base64url'),
    hash: hash.toString('base64url'),
    allowed: allowedFailures,
    failures: 0,
  }
}

/** True when the passcode is the one that was hashed (compared in constant time). */
export async function passcodeMatches(passcode: string, stored: StoredPasscode): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64url')
  const actual = await scrypt(passcode, Buffer.from(stored.salt, 'base64url'), stored)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
