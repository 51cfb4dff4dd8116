import 'fake-indexeddb/auto'
import type { Resource } from '@medplum/fhirtypes'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backupIdOf, backupSignerKey } from '../../domain/backup/hostBackup.ts'
import { BackupFromAnotherWalletError } from '../../domain/records/backup.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { BackupDownloadDamagedError } from '../../shareHost/backups.ts'
import { consentsStorageKey, readConsents, writeConsent } from '../../storage/consentsRepository.ts'
import { closeCareKeyDb, deleteCareKeyDb, openCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { noteLocalChange } from '../../storage/localChanges.ts'
import { storedConsentFixture } from '../../test/consentFixtures.ts'
import { createFakeBackupHost, type FakeBackupHost } from '../../test/fakeBackupHost.ts'
import { storeRecords, storedRecordTitles } from '../../test/storedRecords.ts'
import { buildBackupBytes, readBackupSummary, restoreBackup } from '../records/index.ts'
import { keyring } from '../wallet/index.ts'
import { deleteOnlineBackups, findOnlineBackup, restoreOnlineBackup, uploadOnlineBackup, type BackupContext } from './backupActions.ts'
import { readBackupStatus } from './status.ts'

const walletA = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const walletB = await deriveWalletKeys(parseRecoveryPhrase('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'))
const idA = backupIdOf((await backupSignerKey(walletA.root)).address)
const allergy: Resource = { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut' } }
const lab: Resource = { resourceType: 'Observation', status: 'final', code: { text: 'HbA1c' }, valueQuantity: { value: 5.6, unit: '%' } }

let host: FakeBackupHost
let n = 0

/**
 * The wallet unlocked on a device and its online backup's context, as the app makes it (the
 * records feature's backup file, through its door), against the fake host. Unlocking again
 * starts a fresh records session, as on a new device.
 */
function unlock(keys: WalletKeys): BackupContext {
  keyring.clear()
  keyring.set(keys)
  return {
    host: { hostUrl: host.url, fetch: host.fetch },
    signer: () => backupSignerKey(keys.root),
    buildBackup: buildBackupBytes,
    readSummary: readBackupSummary,
    restore: restoreBackup,
  }
}

beforeEach(async () => {
  await useDatabaseName(`backup-actions-${++n}`)
  host = createFakeBackupHost({ maxBytes: 8 * 1_048_576 })
})
afterEach(async () => {
  keyring.clear()
  await closeCareKeyDb()
})

describe('restoring from the online backup', () => {
  it('finds the backup of a wallet restored on a new device, tells what it holds, restores it merged, and the next upload replaces it', async () => {
    const context = unlock(walletA)
    await storeRecords(walletA, lab, allergy)
    const consentsKey = await consentsStorageKey(walletA.root)
    await writeConsent(consentsKey, storedConsentFixture({ id: 'c-1', patient: walletA.account.address, granteeName: 'Dr. Lee', createdAt: 1, updatedAt: 1 }))
    expect(await uploadOnlineBackup(context)).toMatchObject({ version: { version: 1 }, records: 2 })

    await deleteCareKeyDb()
    const device = unlock(walletA)
    const search = await findOnlineBackup(device)
    if (!search.found) throw new Error('the backup was not found')
    expect(search.summary).toMatchObject({ records: 2, consents: 1 })
    expect(search.version.version).toBe(1)
    expect(await (await openCareKeyDb()).count('records')).toBe(0) // looking writes nothing

    expect(await restoreOnlineBackup(device, search)).toEqual({ restored: 2, alreadyPresent: 0 })
    expect(await storedRecordTitles(walletA)).toEqual(['HbA1c', 'Peanut'])
    expect((await readConsents(consentsKey)).consents.map((c) => c.granteeName)).toEqual(['Dr. Lee'])
    expect((await readBackupStatus(true)).lastUpload).toMatchObject({ version: 1, records: 2 })

    // This device now knows the newest version: its next upload replaces it, with no conflict.
    await noteLocalChange()
    expect(await uploadOnlineBackup(device)).toMatchObject({ version: { version: 2 } })
    expect(host.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([201, 201])
  })

  it('finds nothing for a wallet that has no online backup', async () => {
    expect(await findOnlineBackup(unlock(walletA))).toEqual({ found: false })
  })

  it('refuses a damaged download and a backup sealed by another wallet, and changes nothing', async () => {
    unlock(walletB)
    await storeRecords(walletB, lab)
    const foreign = await buildBackupBytes()
    await deleteCareKeyDb()

    const context = unlock(walletA)
    await storeRecords(walletA, allergy)
    await host.uploadFromAnotherDevice(idA, foreign.bytes)
    await expect(findOnlineBackup(context)).rejects.toBeInstanceOf(BackupFromAnotherWalletError)
    const own = await uploadOnlineBackup(context, { replaceUnrestored: true })
    host.damage(idA, own.version.version)
    await expect(findOnlineBackup(context)).rejects.toBeInstanceOf(BackupDownloadDamagedError)
    expect(await storedRecordTitles(walletA)).toEqual(['Peanut'])
  })
})

describe('deleting the online backups', () => {
  it('deletes every copy at the host, keeps the records here, and turns automatic backup off', async () => {
    const context = unlock(walletA)
    await storeRecords(walletA, lab)
    await uploadOnlineBackup(context)
    await noteLocalChange()
    await uploadOnlineBackup(context)
    expect(await deleteOnlineBackups(context)).toEqual({ deleted: 2 })
    expect(host.versions(idA)).toEqual([])
    expect(await storedRecordTitles(walletA)).toEqual(['HbA1c'])
    expect(await readBackupStatus(true)).toMatchObject({ enabled: false, lastUpload: undefined })
    // Nothing is online now: turned on again, the whole wallet is uploaded, with no conflict.
    expect(await uploadOnlineBackup(context)).toMatchObject({ version: { version: 3 } })
  })
})
