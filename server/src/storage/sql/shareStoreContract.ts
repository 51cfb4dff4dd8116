/**
 * What every share store must do, as tests run against each database the host supports: PGlite
 * in the unit tests, a real PostgreSQL cluster in the integration tests.
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyToAddress, generatePrivateKey } from 'viem/accounts'
import { keccak256, toHex, type Address, type Hex } from 'viem'
import { NO_PREVIOUS_BACKUP } from '../../../../src/domain/backup/hostBackup.ts'
import { newShareId } from '../../../../src/domain/shl/index.ts'
import { newFileId } from '../../fileLocations.ts'
import type { BackupUpload, FileUpload, ShareQuota, StoredShare } from '../shareStore.ts'
import type { SqlDatabase } from './database.ts'
import { SqlShareStore } from './sqlShareStore.ts'

const NOW = 1_800_000_000_000

export const CONTRACT_QUOTA: ShareQuota = { sharesPerPatient: 5, bytesPerPatient: 10_000, sharesPerGrant: 3, bytesPerGrant: 6_000 }
export const CONTRACT_LOG_CAP = 20

const randomAddress = (): Address => privateKeyToAddress(generatePrivateKey())
const randomCommitment = (): Hex => keccak256(toHex(newShareId()))

export function aShare(overrides: Partial<StoredShare> = {}): StoredShare {
  return {
    id: newShareId(),
    patient: randomAddress(),
    commitment: randomCommitment(),
    grantPeriod: { validFrom: 1_700_000_000, validUntil: 1_900_000_000 },
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
    files: [],
    ...overrides,
  }
}

export function aFile(length = 100): FileUpload {
  const jwe = 'x'.repeat(length)
  return { meta: { id: newFileId(), contentType: 'application/fhir+json', length, lastUpdated: NOW }, jwe }
}

/** Bytes that stand for an encrypted backup file (random, with zero bytes in them). */
export function aBackupUpload(length = 1_000): BackupUpload {
  const bytes = new Uint8Array(randomBytes(length))
  bytes[0] = 0
  return { bytes, sha256: `0x${createHash('sha256').update(bytes).digest('hex')}` }
}

const aBackupId = () => randomAddress().toLowerCase()

const withFiles = (share: StoredShare, files: FileUpload[]): StoredShare => ({ ...share, files: files.map((f) => f.meta) })

export function describeShareStore(name: string, openDatabase: () => Promise<SqlDatabase>) {
  describe(`share store on ${name}`, () => {
    let db: SqlDatabase
    let store: SqlShareStore
    beforeAll(async () => {
      db = await openDatabase()
      store = new SqlShareStore(db, { quota: CONTRACT_QUOTA, accessLogCap: CONTRACT_LOG_CAP })
      await store.init()
    })
    afterAll(async () => {
      await store.close()
    })

    it('stores a share with its files and reads it back as it was; a second share with the same id changes nothing', async () => {
      const files = [aFile(120), aFile(80)]
      const share = withFiles(
        aShare({
          expiresAt: 1_850_000_000,
          passcode: { algorithm: 'scrypt', N: 32_768, r: 8, p: 1, salt: 'c2FsdA', hash: 'aGFzaA', allowed: 10, failures: 0 },
        }),
        files,
      )
      expect(await store.createShare(share, files, NOW)).toEqual({ kind: 'created' })
      expect(await store.readShare(share.id)).toEqual(share)
      expect(await store.readFile(share.id, files[1]!.meta.id)).toBe(files[1]!.jwe)
      expect(await store.createShare({ ...share, status: 'locked' }, [aFile()], NOW)).toEqual({ kind: 'exists' })
      expect(await store.readShare(share.id)).toEqual(share)
      expect(await store.readShare(newShareId())).toBeUndefined()
      expect(await store.readFile(share.id, newFileId())).toBeUndefined()
    })

    it('keeps a share’s grant as it was given, after a deactivation too; none for a share stored without one or an unknown id', async () => {
      const grant = `eyJhbGciOiJkaXIifQ..${'a'.repeat(16)}.${'b'.repeat(600)}.${'c'.repeat(22)}`
      const share = aShare()
      expect(await store.createShare(share, [aFile()], NOW, grant)).toEqual({ kind: 'created' })
      expect(await store.readGrant(share.id)).toBe(grant)
      // A second share with the same id changes nothing, its grant included.
      expect(await store.createShare(share, [aFile()], NOW, 'another')).toEqual({ kind: 'exists' })
      await store.deactivateShare(share.id, NOW + 1)
      expect(await store.readGrant(share.id)).toBe(grant)
      const without = aShare()
      await store.createShare(without, [aFile()], NOW)
      expect(await store.readGrant(without.id)).toBeUndefined()
      expect(await store.readGrant(newShareId())).toBeUndefined()
    })

    it('refuses a share past the quota of its grant or its patient, counting only active shares within their expiry', async () => {
      const patient = randomAddress()
      const commitment = randomCommitment()
      for (let i = 0; i < CONTRACT_QUOTA.sharesPerGrant; i++) {
        expect(await store.createShare(aShare({ patient, commitment }), [aFile()], NOW)).toEqual({ kind: 'created' })
      }
      const over = await store.createShare(aShare({ patient, commitment }), [aFile()], NOW)
      expect(over).toMatchObject({ kind: 'over-quota', detail: expect.stringMatching(/3 active shares/) as unknown })
      expect(await store.usage(patient, commitment, NOW)).toEqual({ patientShares: 3, patientBytes: 300, grantShares: 3, grantBytes: 300 })

      // Another grant of the same patient: the patient's quota still counts the first three.
      const other = randomCommitment()
      expect(await store.createShare(aShare({ patient, commitment: other }), [aFile()], NOW)).toEqual({ kind: 'created' })
      expect(await store.createShare(aShare({ patient, commitment: other }), [aFile()], NOW)).toEqual({ kind: 'created' })
      expect(await store.createShare(aShare({ patient, commitment: other }), [aFile()], NOW)).toMatchObject({ kind: 'over-quota' })

      // Bytes: one grant may hold 6,000 bytes, whatever the number of shares.
      const big = randomCommitment()
      const bigPatient = randomAddress()
      expect(await store.createShare(aShare({ patient: bigPatient, commitment: big }), [aFile(5_000)], NOW)).toEqual({ kind: 'created' })
      expect(await store.createShare(aShare({ patient: bigPatient, commitment: big }), [aFile(1_001)], NOW)).toMatchObject({
        kind: 'over-quota',
        detail: expect.stringMatching(/6001 bytes/) as unknown,
      })
    })

    it('frees quota when a share is deactivated or past its own expiry', async () => {
      const patient = randomAddress()
      const commitment = randomCommitment()
      const shares = [aShare({ patient, commitment }), aShare({ patient, commitment, expiresAt: NOW / 1000 + 60 }), aShare({ patient, commitment })]
      for (const s of shares) expect(await store.createShare(s, [aFile()], NOW)).toEqual({ kind: 'created' })
      expect(await store.createShare(aShare({ patient, commitment }), [aFile()], NOW)).toMatchObject({ kind: 'over-quota' })
      // Two minutes later the second share has expired.
      expect(await store.createShare(aShare({ patient, commitment }), [aFile()], NOW + 120_000)).toEqual({ kind: 'created' })
      await store.deactivateShare(shares[0]!.id, NOW + 120_000)
      expect(await store.createShare(aShare({ patient, commitment }), [aFile()], NOW + 120_000)).toEqual({ kind: 'created' })
    })

    it('replaces a share’s files at once within the quota, and not once it is inactive', async () => {
      const files = [aFile(1_000)]
      const share = aShare()
      await store.createShare(share, files, NOW)
      const next = [aFile(3_000), aFile(2_000)]
      const replaced = await store.replaceFiles(share.id, next, NOW + 5)
      expect(replaced).toMatchObject({ kind: 'replaced', share: { updatedAt: NOW + 5, files: next.map((f) => f.meta) } })
      expect(await store.readFile(share.id, files[0]!.meta.id)).toBeUndefined()
      expect(await store.readFile(share.id, next[0]!.meta.id)).toBe(next[0]!.jwe)
      expect(await store.usage(share.patient, share.commitment, NOW)).toMatchObject({ grantBytes: 5_000 })
      // Over the grant's 6,000 bytes: refused, and the files stay as they were.
      expect(await store.replaceFiles(share.id, [aFile(6_001)], NOW + 6)).toMatchObject({ kind: 'over-quota' })
      expect((await store.readShare(share.id))?.files).toEqual(next.map((f) => f.meta))
      await store.deactivateShare(share.id, NOW + 7)
      expect(await store.replaceFiles(share.id, [aFile()], NOW + 8)).toEqual({ kind: 'inactive' })
      expect(await store.replaceFiles(newShareId(), [aFile()], NOW + 8)).toEqual({ kind: 'inactive' })
    })

    it('deactivates a share: its files go, its log stays, twice is the same, an unknown id is undefined', async () => {
      const files = [aFile()]
      const share = aShare()
      await store.createShare(share, files, NOW)
      await store.appendAccess(share.id, { at: NOW + 1, recipient: 'Dr. Who', outcome: 'opened' })
      const deactivated = await store.deactivateShare(share.id, NOW + 2)
      expect(deactivated).toMatchObject({ status: 'deactivated', files: [], updatedAt: NOW + 2 })
      expect(await store.readFile(share.id, files[0]!.meta.id)).toBeUndefined()
      expect((await store.readAccessLog(share.id)).entries).toEqual([{ at: NOW + 1, recipient: 'Dr. Who', outcome: 'opened' }])
      expect(await store.deactivateShare(share.id, NOW + 3)).toMatchObject({ status: 'deactivated' })
      expect(await store.deactivateShare(newShareId(), NOW)).toBeUndefined()
    })

    it('counts wrong passcodes to the allowance, locks the share with the last one and logs each', async () => {
      const share = aShare({ passcode: { algorithm: 'scrypt', N: 2, r: 1, p: 1, salt: 's', hash: 'h', allowed: 3, failures: 0 } })
      await store.createShare(share, [aFile()], NOW)
      const guess = (i: number) => store.recordWrongPasscode(share.id, { at: NOW + i, recipient: `guess ${i}`, outcome: 'wrong-passcode' })
      expect(await guess(1)).toEqual({ remainingAttempts: 2 })
      expect(await guess(2)).toEqual({ remainingAttempts: 1 })
      expect(await guess(3)).toEqual({ remainingAttempts: 0 })
      expect(await guess(4)).toBeUndefined()
      expect(await store.readShare(share.id)).toMatchObject({ status: 'locked', passcode: { failures: 3, allowed: 3 } })
      expect((await store.readAccessLog(share.id)).entries.map((e) => e.recipient)).toEqual(['guess 1', 'guess 2', 'guess 3'])
      // A share without a passcode is not open to guesses.
      const open = aShare()
      await store.createShare(open, [aFile()], NOW)
      expect(await store.recordWrongPasscode(open.id, { at: NOW, recipient: 'x', outcome: 'wrong-passcode' })).toBeUndefined()
    })

    it('keeps exactly the allowance under parallel guesses', async () => {
      const share = aShare({ passcode: { algorithm: 'scrypt', N: 2, r: 1, p: 1, salt: 's', hash: 'h', allowed: 10, failures: 0 } })
      await store.createShare(share, [aFile()], NOW)
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.recordWrongPasscode(share.id, { at: NOW + i, recipient: 'r', outcome: 'wrong-passcode' })),
      )
      expect(results.filter((r) => r !== undefined).map((r) => r.remainingAttempts).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect((await store.readAccessLog(share.id)).entries).toHaveLength(10)
    })

    it('caps a share’s log: the newest entries stay, in order, and the dropped ones are counted exactly', async () => {
      const share = aShare()
      await store.createShare(share, [aFile()], NOW)
      const total = CONTRACT_LOG_CAP * 3 + 7
      for (let i = 0; i < total; i++) await store.appendAccess(share.id, { at: NOW + i, recipient: `viewer ${i}`, outcome: 'opened' })
      const page = await store.readAccessLog(share.id)
      expect(page.entries.map((e) => e.recipient)).toEqual(Array.from({ length: CONTRACT_LOG_CAP }, (_, i) => `viewer ${total - CONTRACT_LOG_CAP + i}`))
      expect(page.dropped).toBe(total - CONTRACT_LOG_CAP)
      // What the database holds stays near the cap: a log cannot grow without bound.
      const [stored] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_log WHERE share_id = $1', [share.id])
      expect(stored?.n).toBeLessThanOrEqual(CONTRACT_LOG_CAP + 16)
      // Appends in parallel lose nothing either.
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.appendAccess(share.id, { at: NOW + total + i, recipient: 'burst', outcome: 'opened' })))
      const after = await store.readAccessLog(share.id)
      expect(after.entries).toHaveLength(CONTRACT_LOG_CAP)
      expect(after.dropped + after.entries.length).toBe(total + 40)
    })

    it('keeps a verified address with the entry', async () => {
      const share = aShare()
      await store.createShare(share, [aFile()], NOW)
      const clinician = randomAddress()
      await store.appendAccess(share.id, { at: NOW, recipient: 'Dr. Grey', outcome: 'opened', verifiedAddress: clinician })
      expect((await store.readAccessLog(share.id)).entries).toEqual([{ at: NOW, recipient: 'Dr. Grey', outcome: 'opened', verifiedAddress: clinician }])
      expect(await store.readAccessLog(newShareId())).toEqual({ entries: [], dropped: 0 })
    })

    it('claims a nonce once, and forgets it after it expires', async () => {
      const nonce = keccak256(toHex(newShareId()))
      const expiresAt = NOW / 1000 + 600
      expect(await store.claimNonce(nonce, expiresAt, NOW)).toBe(true)
      expect(await store.claimNonce(nonce, expiresAt, NOW + 1)).toBe(false)
      expect(await Promise.all([store.claimNonce(nonce, expiresAt, NOW + 2), store.claimNonce(nonce, expiresAt, NOW + 2)])).toEqual([false, false])
      const fresh = keccak256(toHex(newShareId()))
      expect((await Promise.all(Array.from({ length: 8 }, () => store.claimNonce(fresh, expiresAt, NOW + 3)))).filter(Boolean)).toHaveLength(1)
      // Long after: the sweep forgot it, and the request it signed would be refused as expired anyway.
      expect(await store.claimNonce(nonce, expiresAt + 10_000, (expiresAt + 120) * 1000)).toBe(true)
      await expect(store.claimNonce('0xABC', expiresAt, NOW)).rejects.toThrow(TypeError)
    })

    it('creates a secret once and gives every store on the database the same one', async () => {
      const name = `test-${newShareId().replace(/[^a-z]/g, '').slice(0, 10)}`
      const first = await store.secret(name)
      expect(first).toHaveLength(32)
      const other = new SqlShareStore(db, { quota: CONTRACT_QUOTA, accessLogCap: CONTRACT_LOG_CAP })
      expect(await other.secret(name)).toEqual(first)
    })

    describe('online backups', () => {
      const KEEP = 3

      it('keeps each upload with its time, size and hash, lists them newest first and reads back the exact bytes', async () => {
        const id = aBackupId()
        expect(await store.listBackupVersions(id)).toEqual([])
        const first = aBackupUpload(1_500)
        const second = aBackupUpload(10)
        expect(await store.putBackupVersion(id, first, { previous: NO_PREVIOUS_BACKUP, now: NOW, keep: KEEP })).toEqual({
          kind: 'stored',
          version: { version: 1, createdAt: NOW, size: 1_500, sha256: first.sha256 },
        })
        await store.putBackupVersion(id, second, { previous: first.sha256, now: NOW + 5, keep: KEEP })
        expect(await store.listBackupVersions(id)).toEqual([
          { version: 2, createdAt: NOW + 5, size: 10, sha256: second.sha256 },
          { version: 1, createdAt: NOW, size: 1_500, sha256: first.sha256 },
        ])
        const read = await store.readBackupVersion(id, 1)
        expect(read?.version).toEqual({ version: 1, createdAt: NOW, size: 1_500, sha256: first.sha256 })
        expect(Buffer.from(read?.bytes ?? []).equals(Buffer.from(first.bytes))).toBe(true)
        expect(await store.readBackupVersion(id, 3)).toBeUndefined()
        expect(await store.readBackupVersion(aBackupId(), 1)).toBeUndefined()
      })

      it('stores an upload only over the newest version, and otherwise answers with that version and changes nothing', async () => {
        const id = aBackupId()
        const first = aBackupUpload()
        // Expecting a version where there is none.
        expect(await store.putBackupVersion(id, first, { previous: first.sha256, now: NOW, keep: KEEP })).toEqual({ kind: 'conflict' })
        await store.putBackupVersion(id, first, { previous: NO_PREVIOUS_BACKUP, now: NOW, keep: KEEP })
        const second = aBackupUpload()
        await store.putBackupVersion(id, second, { previous: first.sha256, now: NOW + 1, keep: KEEP })
        const latest = { version: 2, createdAt: NOW + 1, size: second.bytes.length, sha256: second.sha256 }
        // Out of date (the first version), expecting none, or replayed: refused, with the newest version.
        for (const previous of [first.sha256, NO_PREVIOUS_BACKUP]) {
          expect(await store.putBackupVersion(id, aBackupUpload(), { previous, now: NOW + 2, keep: KEEP })).toEqual({ kind: 'conflict', latest })
        }
        expect(await store.putBackupVersion(id, second, { previous: first.sha256, now: NOW + 3, keep: KEEP })).toEqual({ kind: 'conflict', latest })
        expect((await store.listBackupVersions(id)).map((v) => v.version)).toEqual([2, 1])
        // A previous in capitals is the same hash.
        expect(await store.putBackupVersion(id, aBackupUpload(), { previous: `0x${second.sha256.slice(2).toUpperCase()}`, now: NOW + 4, keep: KEEP })).toMatchObject({
          kind: 'stored',
          version: { version: 3 },
        })
      })

      it('keeps the newest versions only: the oldest goes when a new one lands, and version numbers keep counting', async () => {
        const id = aBackupId()
        let previous = NO_PREVIOUS_BACKUP
        const uploads = Array.from({ length: 5 }, () => aBackupUpload(50))
        for (const [i, upload] of uploads.entries()) {
          expect(await store.putBackupVersion(id, upload, { previous, now: NOW + i, keep: KEEP })).toMatchObject({ kind: 'stored', version: { version: i + 1 } })
          previous = upload.sha256
        }
        expect((await store.listBackupVersions(id)).map((v) => [v.version, v.sha256])).toEqual([
          [5, uploads[4]!.sha256],
          [4, uploads[3]!.sha256],
          [3, uploads[2]!.sha256],
        ])
        expect(await store.readBackupVersion(id, 2)).toBeUndefined()
        const [stored] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM backup_versions WHERE backup_id = $1', [id])
        expect(stored?.n).toBe(KEEP)
        // Keeping fewer from now on drops the surplus with the next upload.
        await store.putBackupVersion(id, aBackupUpload(), { previous, now: NOW + 9, keep: 1 })
        expect((await store.listBackupVersions(id)).map((v) => v.version)).toEqual([6])
      })

      it('stores exactly one of several uploads sent at once over the same version', async () => {
        const id = aBackupId()
        const racing = Array.from({ length: 6 }, () => aBackupUpload(2_000))
        const firsts = await Promise.all(racing.map((u) => store.putBackupVersion(id, u, { previous: NO_PREVIOUS_BACKUP, now: NOW, keep: KEEP })))
        const winner = firsts.find((r) => r.kind === 'stored')
        expect(firsts.filter((r) => r.kind === 'stored')).toHaveLength(1)
        if (winner?.kind !== 'stored') throw new Error('one upload is stored')
        expect(firsts.filter((r) => r.kind === 'conflict')).toEqual(Array.from({ length: 5 }, () => ({ kind: 'conflict', latest: winner.version })))

        const next = await Promise.all(
          Array.from({ length: 6 }, () => store.putBackupVersion(id, aBackupUpload(2_000), { previous: winner.version.sha256, now: NOW + 1, keep: KEEP })),
        )
        expect(next.filter((r) => r.kind === 'stored')).toHaveLength(1)
        expect((await store.listBackupVersions(id)).map((v) => v.version)).toEqual([2, 1])
      })

      it('deletes every version of one backup and no other’s; the next upload starts from none', async () => {
        const id = aBackupId()
        const other = aBackupId()
        const first = aBackupUpload()
        await store.putBackupVersion(id, first, { previous: NO_PREVIOUS_BACKUP, now: NOW, keep: KEEP })
        await store.putBackupVersion(id, aBackupUpload(), { previous: first.sha256, now: NOW, keep: KEEP })
        await store.putBackupVersion(other, aBackupUpload(), { previous: NO_PREVIOUS_BACKUP, now: NOW, keep: KEEP })
        expect(await store.deleteBackup(id)).toBe(2)
        expect(await store.listBackupVersions(id)).toEqual([])
        expect(await store.readBackupVersion(id, 1)).toBeUndefined()
        expect(await store.listBackupVersions(other)).toHaveLength(1)
        expect(await store.deleteBackup(id)).toBe(0)
        expect(await store.putBackupVersion(id, aBackupUpload(), { previous: first.sha256, now: NOW, keep: KEEP })).toEqual({ kind: 'conflict' })
        expect(await store.putBackupVersion(id, aBackupUpload(), { previous: NO_PREVIOUS_BACKUP, now: NOW, keep: KEEP })).toMatchObject({ kind: 'stored' })
      })
    })

    it('leases a sponsor account to one holder at a time, renewable by it, free again once it lapses', async () => {
      const sponsor = randomAddress()
      expect(await store.leaseSponsor(sponsor, 'host-a', NOW, 30_000)).toBe(true)
      expect(await store.leaseSponsor(sponsor, 'host-b', NOW + 10_000, 30_000)).toBe(false)
      expect(await store.leaseSponsor(sponsor, 'host-a', NOW + 20_000, 30_000)).toBe(true)
      expect(await store.leaseSponsor(sponsor, 'host-b', NOW + 40_000, 30_000)).toBe(false)
      expect(await store.leaseSponsor(sponsor, 'host-b', NOW + 50_000, 30_000)).toBe(true)
      expect(await store.leaseSponsor(sponsor, 'host-a', NOW + 51_000, 30_000)).toBe(false)
    })
  })
}
