/**
 * The app's online backup against the real share host: the app's workflows (backupActions,
 * createAutoBackup) and its client, with real wallet keys and records on a fake IndexedDB, talk
 * to the host's real routes and SQL store (PGlite), in this process or over a loopback socket
 * where the connection itself matters (an upload cut off, the host down). Each test is a failure
 * the patient may meet: what they are told, and that nothing is lost.
 */
import 'fake-indexeddb/auto'
import { serve, type ServerType } from '@hono/node-server'
import type { Resource } from '@medplum/fhirtypes'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { freePort } from '../../../scripts/lib/ports.ts'
import { startBackupTestHost, sendBackupRequest, type BackupTestHost } from '../../../server/src/testing/backupHost.ts'
import { pgliteDatabase } from '../../../server/src/storage/sql/pgliteDatabase.ts'
import type { SqlDatabase } from '../../../server/src/storage/sql/database.ts'
import { backupIdOf, backupSignerKey, NO_PREVIOUS_BACKUP } from '../../domain/backup/hostBackup.ts'
import { backupReminder } from '../../domain/backup/reminder.ts'
import { BackupFromAnotherWalletError } from '../../domain/records/backup.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { BackupDownloadDamagedError, BackupRefusedError, BackupTooLargeError, downloadBackup, listBackups, type BackupSigner } from '../../shareHost/backups.ts'
import { ShareHostUnreachableError, type FetchLike } from '../../shareHost/client.ts'
import { consentsStorageKey, readConsents, writeConsent } from '../../storage/consentsRepository.ts'
// useDatabaseName is no React hook, whatever its name: here it switches devices.
import { closeCareKeyDb, openCareKeyDb, useDatabaseName as switchDatabase } from '../../storage/db.ts'
import { storedConsentFixture } from '../../test/consentFixtures.ts'
import { storedRecordTitles, storeRecords } from '../../test/storedRecords.ts'
import { buildBackupBytes, readBackupSummary, restoreBackup } from '../records/index.ts'
import { keyring } from '../wallet/index.ts'
import { createAutoBackup, type AutoBackup, type NetworkStatus } from './autoBackup.ts'
import {
  deleteOnlineBackups,
  findOnlineBackup,
  restoreOnlineBackup,
  UnrestoredOnlineBackupError,
  uploadOnlineBackup,
  type BackupContext,
} from './backupActions.ts'
import { AUTO_BACKUP_DEBOUNCE_MS, BACKUP_FAILURE_NOTICE_MS, BACKUP_RETRY_FIRST_MS, readBackupStatus, reminderView } from './status.ts'
import { backupStatusLine } from './statusLine.ts'

const walletA = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const walletB = await deriveWalletKeys(parseRecoveryPhrase('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'))
const signerA = await backupSignerKey(walletA.root)
const signerB = await backupSignerKey(walletB.root)
const idA = backupIdOf(signerA.address)

const allergy: Resource = { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut' } }
const lab: Resource = { resourceType: 'Observation', status: 'final', code: { text: 'HbA1c' }, valueQuantity: { value: 5.6, unit: '%' } }
const medication: Resource = { resourceType: 'MedicationStatement', status: 'active', subject: {}, medicationCodeableConcept: { text: 'Salbutamol' } }
/** A device whose browser says it is online (the host's own state is what these tests vary). */
const online: NetworkStatus = { isOnline: () => true, onOnline: () => () => undefined }
const condition: Resource = { resourceType: 'Condition', subject: {}, code: { text: 'Asthma' } }

/** One database for every host of this file (starting PGlite takes seconds); each test starts with no backups. */
let db: SqlDatabase
let host: BackupTestHost
/** Every request the app sent in this test, and the host's answer (0 when the connection failed). */
let sent: { method: string; status: number }[]
let auto: AutoBackup | undefined
let n = 0

beforeAll(async () => {
  db = await pgliteDatabase()
})
afterAll(async () => {
  await db.close()
})
beforeEach(async () => {
  host = await startBackupTestHost({}, db)
  await host.store.init()
  await db.query('DELETE FROM backup_versions')
  sent = []
  n++
})
afterEach(async () => {
  auto?.stop()
  auto = undefined
  vi.useRealTimers()
  keyring.clear()
  await closeCareKeyDb()
  await host.close()
})

/** The fetch the app uses in this test: `through` (the host in this process by default), with what it sent noted. */
function noted(through: FetchLike = host.fetch): FetchLike {
  return async (input, init) => {
    const method = init?.method ?? 'GET'
    try {
      const response = await through(input, init)
      sent.push({ method, status: response.status })
      return response
    } catch (error) {
      sent.push({ method, status: 0 })
      throw error
    }
  }
}
const puts = () => sent.filter((r) => r.method === 'PUT').map((r) => r.status)

/**
 * The wallet unlocked on a device (its own IndexedDB, kept across switches like a phone's) and the
 * online backup's context as the app makes it, pointed at this test's host. A device switched to
 * starts a fresh records session, as after an unlock.
 */
async function onDevice(name: string, keys: WalletKeys, options: { signer?: BackupSigner; fetch?: FetchLike } = {}): Promise<BackupContext> {
  await switchDatabase(`online-backup-it-${n}-${name}`)
  keyring.clear()
  keyring.set(keys)
  return {
    host: { hostUrl: host.hostUrl, fetch: noted(options.fetch) },
    signer: async () => options.signer ?? backupSignerKey(keys.root),
    buildBackup: buildBackupBytes,
    readSummary: readBackupSummary,
    restore: restoreBackup,
  }
}

/** What the host keeps of wallet A's backup: its versions, oldest first, read straight from its store. */
async function storedVersionsOfA(): Promise<{ version: number; sha256: string }[]> {
  return (await host.store.listBackupVersions(idA)).map(({ version, sha256 }) => ({ version, sha256 })).reverse()
}

/** How many records the given version of wallet A's backup holds, downloaded and opened as the app does. */
async function recordsInVersion(version: number): Promise<number> {
  const listed = (await listBackups({ hostUrl: host.hostUrl, fetch: host.fetch }, signerA)).versions.find((v) => v.version === version)
  if (!listed) throw new Error(`the host lists no version ${version}`)
  return (await readBackupSummary(await downloadBackup({ hostUrl: host.hostUrl, fetch: host.fetch }, signerA, listed))).records
}

const storedRecordCount = async () => (await openCareKeyDb()).count('records')

describe('the online backup against the real share host', () => {
  it('two devices of one wallet: the later upload is refused (409), merges the newest in, goes once more over it, and every version stays readable', async () => {
    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab, allergy)
    await uploadOnlineBackup(phone)

    const tablet = await onDevice('tablet', walletA)
    const search = await findOnlineBackup(tablet)
    if (!search.found) throw new Error('the tablet did not find the backup')
    await restoreOnlineBackup(tablet, search)

    // The phone backs up a change; the tablet, not knowing, backs up one of its own.
    await onDevice('phone', walletA)
    await storeRecords(walletA, medication)
    expect((await uploadOnlineBackup(phone)).version.version).toBe(2)
    await onDevice('tablet', walletA)
    await storeRecords(walletA, condition)
    sent = []
    // The phone's medication comes in first, so the tablet's upload holds both devices' records.
    expect(await uploadOnlineBackup(tablet)).toMatchObject({ version: { version: 3 }, records: 4 })
    expect(puts()).toEqual([409, 201])
    expect(await recordsInVersion(3)).toBe(4)

    expect((await storedVersionsOfA()).map((v) => v.version)).toEqual([1, 2, 3])
    // The phone's version, older now, is still there and whole: its three records.
    expect(await recordsInVersion(2)).toBe(3)
    expect(await storedRecordTitles(walletA)).toEqual(['Asthma', 'HbA1c', 'Peanut', 'Salbutamol'])
    expect(await readBackupStatus(true)).toMatchObject({ lastUpload: { version: 3 }, unsavedSince: undefined, lastError: undefined })
  })

  it('another device uploading again during the retry after a conflict: told it will retry, and it does', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab)
    await uploadOnlineBackup(phone)

    // Other devices of the wallet upload while the tablet does, once before each of its next two tries.
    let othersUploading = 0
    // What they upload: the phone's backup, sealed once for each (so no two are the same bytes); the
    // tablet merges the newest in before it tries again.
    const othersBackups = [(await buildBackupBytes()).bytes, (await buildBackupBytes()).bytes]
    const tablet = await onDevice('tablet', walletA, {
      fetch: async (input, init) => {
        if (init?.method === 'PUT' && othersUploading > 0) {
          othersUploading--
          const [newest] = await host.store.listBackupVersions(idA)
          await sendBackupRequest(host, signerA, { action: 'put-backup', previous: newest?.sha256 ?? NO_PREVIOUS_BACKUP, body: othersBackups[othersUploading] })
        }
        return host.fetch(input, init)
      },
    })
    const search = await findOnlineBackup(tablet)
    if (!search.found) throw new Error('the tablet did not find the backup')
    await restoreOnlineBackup(tablet, search)
    auto = createAutoBackup({ context: tablet, enabledByDefault: true, network: online })
    await auto.settled()

    othersUploading = 2
    sent = []
    await storeRecords(walletA, allergy)
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await auto.settled()
    expect(puts()).toEqual([409, 409])
    const status = await readBackupStatus(true)
    expect(status.lastError).toMatchObject({ kind: 'transient', message: 'The online backup was changed from another device at the same time.' })
    expect(backupStatusLine(status, { activity: auto.activity(), online: true, now: Date.now() }).detail).toBe('Your latest changes are not backed up yet: CareKey will retry.')
    expect(auto.activity()).toBe('retrying')

    // The retry: over the version it knew (refused), then over the newest.
    await vi.advanceTimersByTimeAsync(BACKUP_RETRY_FIRST_MS)
    await auto.settled()
    expect(puts()).toEqual([409, 409, 409, 201])
    const newest = (await storedVersionsOfA()).at(-1)?.version ?? 0
    expect(await readBackupStatus(true)).toMatchObject({ lastUpload: { version: newest }, lastError: undefined, unsavedSince: undefined })
    expect(await recordsInVersion(newest)).toBe(2)
  })

  it('a new device that never restored does not replace the backup on its own; Back up now does', async () => {
    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab, allergy)
    const first = await uploadOnlineBackup(phone)

    const laptop = await onDevice('laptop', walletA)
    await storeRecords(walletA, condition)
    sent = []
    auto = createAutoBackup({ context: laptop, enabledByDefault: true, network: online })
    await auto.settled()
    expect(puts()).toEqual([409])
    const status = await readBackupStatus(true)
    expect(status.lastError).toEqual({
      kind: 'other-device',
      message: new UnrestoredOnlineBackupError(first.version).userMessage,
      hint: new UnrestoredOnlineBackupError(first.version).hint,
    })
    expect(backupStatusLine(status, { activity: auto.activity(), online: true, now: Date.now() })).toMatchObject({ tone: 'warning', offerRestore: true })
    expect(await storedVersionsOfA()).toEqual([{ version: 1, sha256: first.version.sha256 }])

    expect(await auto.backUpNow()).toMatchObject({ version: { version: 2 }, records: 1 })
    expect(puts()).toEqual([409, 409, 201])
    // The phone's backup is kept as the older version.
    expect(await recordsInVersion(1)).toBe(2)
    expect(await readBackupStatus(true)).toMatchObject({ lastError: undefined, unsavedSince: undefined })
  })

  it('another wallet’s key can neither read, replace nor delete this wallet’s backup: 403, said plainly', async () => {
    const own = await onDevice('phone', walletA)
    await storeRecords(walletA, lab)
    const { version } = await uploadOnlineBackup(own)

    // Wallet B's key signing requests for wallet A's backup (the id the requests name).
    const impostor: BackupSigner = { address: signerA.address, signTypedData: (typedData) => signerB.signTypedData(typedData) }
    const intruder = await onDevice('intruder', walletB, { signer: impostor })
    await storeRecords(walletB, condition)
    sent = []
    const refusedAs403 = { status: 403, userMessage: expect.stringMatching(/^The share host refused: this online backup is signed by another key/) as unknown }

    await expect(findOnlineBackup(intruder)).rejects.toMatchObject(refusedAs403)
    await expect(downloadBackup(intruder.host, impostor, version)).rejects.toMatchObject(refusedAs403)
    await expect(uploadOnlineBackup(intruder, { replaceUnrestored: true })).rejects.toBeInstanceOf(BackupRefusedError)
    expect((await readBackupStatus(true)).lastError).toMatchObject({ kind: 'refused', message: expect.stringContaining('signed by another key') as unknown })
    await expect(deleteOnlineBackups(intruder)).rejects.toMatchObject(refusedAs403)
    expect(sent.map((r) => r.status)).toEqual([403, 403, 403, 403])
    expect((await readBackupStatus(true)).enabled).toBe(true) // a refused deletion changes nothing here either

    expect(await storedVersionsOfA()).toEqual([{ version: 1, sha256: version.sha256 }])
    await onDevice('phone', walletA)
    expect(await recordsInVersion(1)).toBe(1)
  })

  it('a version changed at the host is refused as damaged, and nothing is written on the device', async () => {
    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab, allergy)
    await uploadOnlineBackup(phone)
    const flipped = await db.query(
      'UPDATE backup_versions SET bytes = set_byte(bytes, 200, get_byte(bytes, 200) # 1) WHERE backup_id = $1 AND version = 1 RETURNING version',
      [idA],
    )
    expect(flipped).toHaveLength(1)

    const fresh = await onDevice('new-phone', walletA)
    const refused = findOnlineBackup(fresh)
    await expect(refused).rejects.toBeInstanceOf(BackupDownloadDamagedError)
    await expect(refused).rejects.toMatchObject({ userMessage: 'The online backup arrived damaged (its fingerprint does not match the one listed). Nothing was changed.' })
    expect(await storedRecordCount()).toBe(0)
    expect((await readBackupStatus(true)).lastUpload).toBeUndefined()
  })

  it('when the newest version was changed at the host, the one before it is found, and the patient is told', async () => {
    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab, allergy)
    await uploadOnlineBackup(phone)
    await storeRecords(walletA, medication)
    await uploadOnlineBackup(phone)
    await db.query('UPDATE backup_versions SET bytes = set_byte(bytes, 200, get_byte(bytes, 200) # 1) WHERE backup_id = $1 AND version = 2', [idA])

    const fresh = await onDevice('new-phone', walletA)
    const search = await findOnlineBackup(fresh)
    expect(search).toMatchObject({ found: true, version: { version: 1 }, summary: { records: 2 }, newerDamaged: 1 })
    expect(await storedRecordCount()).toBe(0)
  })

  it('a backup sealed by another wallet, stored under this wallet’s id, is refused and nothing is written', async () => {
    await onDevice('other', walletB)
    await storeRecords(walletB, condition)
    const foreign = await buildBackupBytes()
    // Put there by a signer that is this wallet's backup key: the host has no reason to refuse it.
    expect((await sendBackupRequest(host, signerA, { action: 'put-backup', previous: NO_PREVIOUS_BACKUP, body: foreign.bytes })).status).toBe(201)

    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab)
    await expect(findOnlineBackup(phone)).rejects.toBeInstanceOf(BackupFromAnotherWalletError)
    expect(await storedRecordTitles(walletA)).toEqual(['HbA1c'])
    expect((await readBackupStatus(true)).lastUpload).toBeUndefined()
  })

  it('restoring on a device that already has some of the same records merges them without duplicates', async () => {
    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab, allergy, medication)
    const consents = await consentsStorageKey(walletA.root)
    await writeConsent(consents, storedConsentFixture({ id: 'c-1', patient: walletA.account.address, granteeName: 'Dr. Lee', createdAt: 1, updatedAt: 1 }))
    await uploadOnlineBackup(phone)

    // The laptop imported the same lab result and allergy itself (other ids), a condition of its own, and has the consent.
    const laptop = await onDevice('laptop', walletA)
    await storeRecords(walletA, lab, allergy, condition)
    await writeConsent(consents, storedConsentFixture({ id: 'c-1', patient: walletA.account.address, granteeName: 'Dr. Lee', createdAt: 1, updatedAt: 1 }))
    const search = await findOnlineBackup(laptop)
    if (!search.found) throw new Error('the laptop did not find the backup')
    expect(search.summary).toMatchObject({ records: 3, consents: 1 })
    expect(await restoreOnlineBackup(laptop, search)).toEqual({ restored: 1, alreadyPresent: 2 })
    expect(await storedRecordTitles(walletA)).toEqual(['Asthma', 'HbA1c', 'Peanut', 'Salbutamol'])
    expect((await readConsents(consents)).consents.map((c) => c.id)).toEqual(['c-1'])
    // Restored again, the same backup adds nothing.
    expect(await restoreOnlineBackup(laptop, search)).toEqual({ restored: 0, alreadyPresent: 3 })
    expect(await storedRecordCount()).toBe(4)
  })

  it('past the host’s size limit: BackupTooLargeError with the limit in words, and the previous version stays', async () => {
    await host.close()
    host = await startBackupTestHost({ CAREKEY_BACKUP_MAX_BYTES: '4000' }, db)
    const phone = await onDevice('phone', walletA)
    await storeRecords(walletA, lab)
    const small = await uploadOnlineBackup(phone)
    expect(small.version.size).toBeLessThanOrEqual(4000)

    await storeRecords(walletA, ...Array.from({ length: 12 }, (_, i): Resource => ({ ...condition, code: { text: `Condition ${i + 1}` } })))
    const refused = uploadOnlineBackup(phone)
    await expect(refused).rejects.toBeInstanceOf(BackupTooLargeError)
    await expect(refused).rejects.toMatchObject({ limit: 4000, userMessage: expect.stringMatching(/^Your backup \(.+ kB\) is larger than the 4 kB the share host accepts\.$/) as unknown })
    expect(puts()).toEqual([201, 413])
    expect(await readBackupStatus(true)).toMatchObject({ lastUpload: { version: 1 }, lastError: { kind: 'refused' }, unsavedSince: expect.any(Number) as unknown })
    expect(await storedVersionsOfA()).toEqual([{ version: 1, sha256: small.version.sha256 }])
  })
})

describe('the online backup over a real connection to the share host', () => {
  let port: number
  let server: ServerType | undefined
  /** What the host answered over the socket, whether or not the app was still there to read it. */
  let answered: { method: string; status: number }[] = []
  let uploadArrived: (() => void) | undefined
  /** Resolves once the next upload has reached the host. */
  const nextUploadArrives = () => new Promise<void>((arrived) => (uploadArrived = arrived))

  /** Serves this test's host on the loopback port (again, after stopServing). */
  async function startServing(): Promise<void> {
    await new Promise<void>((listening) => {
      const handle = async (request: Request) => {
        if (request.method === 'PUT') uploadArrived?.()
        const response = await host.fetch(request.url, request)
        answered.push({ method: request.method, status: response.status })
        return response
      }
      server = serve({ fetch: handle, port, hostname: '127.0.0.1' }, () => listening())
    })
  }
  /** The host goes down: it stops listening, and drops the connections it had. */
  async function stopServing(): Promise<void> {
    const running = server
    server = undefined
    if (!running) return
    await new Promise<void>((closed) => {
      running.close(() => closed())
      if ('closeAllConnections' in running) running.closeAllConnections()
    })
  }

  beforeEach(async () => {
    answered = []
    port = await freePort()
    await host.close()
    host = await startBackupTestHost({ CAREKEY_SHARE_HOST_URL: `http://127.0.0.1:${port}` }, db)
    await startServing()
  })
  afterEach(async () => {
    await stopServing()
  })

  /** The browser's fetch, whose uploads send half their body, then break off once the host reads (the connection dropped). */
  const cutOffUploads: FetchLike = (input, init) => {
    const body: unknown = init?.body
    if (init?.method !== 'PUT' || !(body instanceof Uint8Array)) return fetch(input, init)
    const half = body.slice(0, Math.floor(body.length / 2))
    const arrived = nextUploadArrives()
    let sentHalf = false
    const halfThenError = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sentHalf) {
          sentHalf = true
          return controller.enqueue(half)
        }
        await arrived
        controller.error(new Error('the connection dropped'))
      },
    })
    const cut = { ...init, body: halfThenError, duplex: 'half' }
    return fetch(input, cut)
  }

  it('an upload cut off midway leaves the previous version; the app counts it as passing and tries again later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let cutting = false
    const phone = await onDevice('phone', walletA, { fetch: (input, init) => (cutting ? cutOffUploads(input, init) : fetch(input, init)) })
    await storeRecords(walletA, lab)
    const first = await uploadOnlineBackup(phone)

    cutting = true
    auto = createAutoBackup({ context: phone, enabledByDefault: true, network: online })
    await storeRecords(walletA, allergy)
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await auto.settled()
    expect(puts()).toEqual([201, 0])
    // The host read half the body, found it cut short, and stored nothing (its answer reached no one).
    await vi.waitFor(() => expect(answered.filter((a) => a.method === 'PUT').map((a) => a.status)).toEqual([201, 400]))
    expect(auto.activity()).toBe('retrying')
    expect(await readBackupStatus(true)).toMatchObject({
      lastUpload: { version: 1 },
      lastError: { kind: 'transient', message: new ShareHostUnreachableError().userMessage },
      unsavedSince: expect.any(Number) as unknown,
    })
    expect(await storedVersionsOfA()).toEqual([{ version: 1, sha256: first.version.sha256 }])
    expect(await recordsInVersion(1)).toBe(1)

    cutting = false
    await vi.advanceTimersByTimeAsync(BACKUP_RETRY_FIRST_MS)
    await auto.settled()
    expect(puts()).toEqual([201, 0, 201])
    expect(await recordsInVersion(2)).toBe(2)
    expect(await readBackupStatus(true)).toMatchObject({ lastUpload: { version: 2 }, lastError: undefined, failingSince: undefined, unsavedSince: undefined })
  })

  it('the host down: each try fails as passing, the next waits longer, the patient is told only after a day, and the backup lands when it is back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const phone = await onDevice('phone', walletA, { fetch: (input, init) => fetch(input, init) })
    await storeRecords(walletA, lab)
    auto = createAutoBackup({ context: phone, enabledByDefault: true, network: online })
    await auto.settled()
    expect(puts()).toEqual([201])

    await stopServing()
    await storeRecords(walletA, allergy)
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await auto.settled()
    expect(puts()).toEqual([201, 0])
    expect(auto.activity()).toBe('retrying')

    // Tries again after 30 s, then after 60 s more: never sooner.
    for (const wait of [BACKUP_RETRY_FIRST_MS, 2 * BACKUP_RETRY_FIRST_MS]) {
      const tries = sent.length
      await vi.advanceTimersByTimeAsync(wait - 1)
      expect(sent).toHaveLength(tries)
      await vi.advanceTimersByTimeAsync(1)
      await auto.settled()
      expect(sent).toHaveLength(tries + 1)
    }
    expect(puts()).toEqual([201, 0, 0, 0])

    const status = await readBackupStatus(true)
    expect(status.lastError).toEqual({ kind: 'transient', ...messageOf(new ShareHostUnreachableError()) })
    const failingSince = status.failingSince ?? 0
    const seen = (now: number) => backupStatusLine(status, { activity: auto?.activity() ?? 'idle', online: true, now })
    // Within the first day: no alarm, "will retry", and no reminder banner.
    expect(seen(failingSince + BACKUP_FAILURE_NOTICE_MS - 1)).toMatchObject({ tone: 'neutral', detail: 'Your latest changes are not backed up yet: CareKey will retry.' })
    expect(backupReminder(failingSince + BACKUP_FAILURE_NOTICE_MS - 1, reminderView(status))).toBeUndefined()
    // Past it: told what is wrong and what to do.
    expect(seen(failingSince + BACKUP_FAILURE_NOTICE_MS)).toMatchObject({
      tone: 'error',
      text: expect.stringMatching(/^Online backup has not worked since .+\. The share host cannot be reached right now\.$/) as unknown,
    })
    expect(backupReminder(failingSince + BACKUP_FAILURE_NOTICE_MS + 1, reminderView(status))).toMatchObject({ kind: 'online-backup-failing' })

    await startServing()
    await vi.advanceTimersByTimeAsync(4 * BACKUP_RETRY_FIRST_MS)
    await auto.settled()
    expect(puts()).toEqual([201, 0, 0, 0, 201])
    expect(await recordsInVersion(2)).toBe(2)
    expect(await readBackupStatus(true)).toMatchObject({ lastUpload: { version: 2 }, failingSince: undefined, lastError: undefined, unsavedSince: undefined })
  })
})

function messageOf(error: { userMessage: string; hint?: string | undefined }) {
  return { message: error.userMessage, hint: error.hint }
}
