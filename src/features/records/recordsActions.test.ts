import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { EmptyImportError, UnsupportedFhirVersionError } from '../../domain/fhir/errors.ts'
import { BackupFromAnotherWalletError, BackupTruncatedError, sealBackup } from '../../domain/records/backup.ts'
import { encryptRecord, summarizeResource } from '../../domain/records/records.ts'
import { asRevisionOne } from '../../test/storedSummary.ts'
import { deriveWalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { deleteCareKeyDb, openCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { StorageFullError } from '../../storage/errors.ts'
import { keyring } from '../wallet/index.ts'
import { bytesEqual, fromBase64Url } from '../../domain/crypto/bytes.ts'
import { consentsStorageKey, readConsents } from '../../storage/consentsRepository.ts'
import { FORMAT1 } from '../../test/format1Fixture.ts'
import {
  buildBackupBytes,
  deleteRecord,
  exportBackup,
  importRecords,
  readAttachmentFile,
  readBackupSummary,
  readRecord,
  restoreBackup,
  saveRecord,
  selectRecordsForSharing,
  undoDelete,
} from './recordsActions.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { RecordsSession } from './session.ts'
import { loadRecordsIndex } from './sessionLoaders.ts'

const realPut = Object.getOwnPropertyDescriptor(IDBObjectStore.prototype, 'put')?.value as IDBObjectStore['put']
const sample = readFileSync(new URL('../../../sample-data/sample-patient.json', import.meta.url), 'utf8')
const walletA = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const walletB = await deriveWalletKeys(
  parseRecoveryPhrase('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'),
)
const allergy = { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut' } }
const lab = { resourceType: 'Observation', status: 'final', code: { text: 'HbA1c' }, valueQuantity: { value: 5.6, unit: '%' } }
const bundle = (...resources: unknown[]) => JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) })

let n = 0
let session: RecordsSession
beforeEach(async () => {
  await useDatabaseName(`records-actions-${++n}`)
  keyring.set(walletA)
  session = new RecordsSession(keyring)
})

const titles = async (s = session) => (await s.index()).records.map((r) => r.title).sort()

describe('importing FHIR', () => {
  it('imports, counts duplicates and rejections, and skips what is already there on a second import', async () => {
    const file = bundle(allergy, lab, lab, { resourceType: 'Observation', status: 'final' })
    expect(await importRecords(file, 'imported', session)).toMatchObject({ imported: 2, duplicates: 1, rejected: [{ position: 'entry 4' }] })
    expect(await importRecords(file, 'imported', session)).toMatchObject({ imported: 0, duplicates: 3 })
    expect(await titles()).toEqual(['HbA1c', 'Peanut'])
  })

  it('imports the sample patient and finds its records again after a lock and unlock', async () => {
    const summary = await importRecords(sample, 'sample', session)
    expect(summary.imported).toBeGreaterThan(300)
    keyring.clear()
    await expect(session.index()).rejects.toBeInstanceOf(WalletLockedError)
    keyring.set(walletA)
    expect((await session.index()).records).toHaveLength(summary.imported)
  })

  it('changes nothing when the file is refused as a whole', async () => {
    await importRecords(bundle(allergy), 'imported', session)
    await expect(importRecords(bundle(), 'imported', session)).rejects.toBeInstanceOf(EmptyImportError)
    const r5 = { resourceType: 'MedicationStatement', status: 'recorded', subject: {}, medication: { concept: { text: 'x' } } }
    await expect(importRecords(bundle(lab, r5), 'imported', session)).rejects.toBeInstanceOf(UnsupportedFhirVersionError)
    expect(await titles()).toEqual(['Peanut'])
    expect(await (await openCareKeyDb()).count('records')).toBe(1)
  })

  it('stores all or nothing when the disk fills up halfway', async () => {
    const db = await openCareKeyDb()
    // The third write fails as a full disk does.
    const put = vi.spyOn(IDBObjectStore.prototype, 'put')
    let puts = 0
    put.mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (++puts === 3) throw new DOMException('full', 'QuotaExceededError')
      return Reflect.apply(realPut, this, args)
    })
    try {
      await expect(importRecords(sample, 'imported', session)).rejects.toBeInstanceOf(StorageFullError)
    } finally {
      put.mockRestore()
    }
    expect(await db.count('records')).toBe(0)
    expect((await session.index()).records).toHaveLength(0)
  })
})

describe('editing and deleting', () => {
  it('edits in place, deletes, and undoes the delete exactly', async () => {
    const saved = await saveRecord({ resourceType: 'Condition', subject: { display: 'Me' }, code: { text: 'Asthma' } }, undefined, session)
    await saveRecord({ resourceType: 'Condition', subject: { display: 'Me' }, code: { text: 'Mild asthma' } }, saved.id, session)
    expect(await titles()).toEqual(['Mild asthma'])
    await deleteRecord(saved.id, session)
    expect(await titles()).toEqual([])
    await undoDelete(session)
    expect((await readRecord(saved.id, session)).resource).toMatchObject({ code: { text: 'Mild asthma' } })
  })
})

describe('backup and restore', () => {
  it('restores everything on a new device with the same phrase, and merges without duplicates', async () => {
    await importRecords(sample, 'sample', session)
    await saveRecord(allergy as never, undefined, session)
    const { file } = await exportBackup(session)
    const before = await titles()

    await deleteCareKeyDb()
    const newDevice = new RecordsSession(keyring)
    expect(await restoreBackup(file, newDevice)).toEqual({ restored: before.length, alreadyPresent: 0 })
    expect(await titles(newDevice)).toEqual(before)
    expect(await restoreBackup(file, newDevice)).toEqual({ restored: 0, alreadyPresent: before.length })
    expect(await titles(newDevice)).toEqual(before)
  })

  it('merges by content: the same sample imported on two devices is not doubled', async () => {
    await importRecords(sample, 'sample', session)
    const { file } = await exportBackup(session)
    await deleteCareKeyDb()
    const other = new RecordsSession(keyring)
    await importRecords(sample, 'sample', other)
    await saveRecord(allergy as never, undefined, other)
    const result = await restoreBackup(file, other)
    expect(result.restored).toBe(0)
    expect((await other.index()).records).toHaveLength(result.alreadyPresent + 1)
  })

  it('keeps each record’s version through a backup, and the restored records pass the rollback check', async () => {
    const saved = await saveRecord({ resourceType: 'Condition', subject: { display: 'Me' }, code: { text: 'Asthma' } }, undefined, session)
    await saveRecord({ resourceType: 'Condition', subject: { display: 'Me' }, code: { text: 'Mild asthma' } }, saved.id, session)
    const { file } = await exportBackup(session)
    await deleteCareKeyDb()
    const newDevice = new RecordsSession(keyring)
    expect(await restoreBackup(file, newDevice)).toEqual({ restored: 1, alreadyPresent: 0 })
    const again = new RecordsSession(keyring)
    expect((await again.index()).records).toMatchObject([{ id: saved.id, version: 2, title: 'Mild asthma' }])
    expect((await again.index()).damaged).toBe(0)
  })

  it('restores a backup file made by an older CareKey, storing its records and files in today’s format', async () => {
    const restored = await restoreBackup(new Blob([fromBase64Url(FORMAT1.backup).slice()]), session)
    expect(restored).toEqual({ restored: 3, alreadyPresent: 0 })
    const db = await openCareKeyDb()
    expect((await db.getAll('records')).map((r) => r.format)).toEqual([2, 2, 2])
    expect((await db.getAll('attachments')).map((a) => a.format)).toEqual([2])
    const fresh = new RecordsSession(keyring)
    expect((await fresh.index()).records.map((r) => r.title).sort()).toEqual([...FORMAT1.expected.titles].sort())
    const letter = (await fresh.index()).records.find((r) => r.title === 'Discharge letter')
    const pdf = await readAttachmentFile(letter?.attachmentIds[0] ?? '', 'application/pdf', fresh)
    expect(bytesEqual(new Uint8Array(await pdf.arrayBuffer()), fromBase64Url(FORMAT1.expected.attachment))).toBe(true)
    const { consents } = await readConsents(await consentsStorageKey(walletA.root))
    expect(consents.map((c) => c.granteeName)).toEqual([FORMAT1.expected.consent.granteeName])
  })

  it('restores records whose summaries an older revision wrote with today’s summaries, sealed again', async () => {
    const keys = await session.recordsKeys()
    const resource = { resourceType: 'Observation', status: 'final', id: 'glu-1', code: { text: 'Glucose [Mass/volume] in Serum or Plasma' } } as const
    const summary = { ...(await summarizeResource(resource, 'imported')), id: crypto.randomUUID(), version: 1, createdAt: 1, updatedAt: 1 }
    const old = await asRevisionOne(await encryptRecord({ summary, resource }, keys.records), keys.records, { title: 'Glucose [Mass/volume] in Serum or Plasma' })
    const bytes = await sealBackup({ createdAt: 1, records: [old], attachments: [] }, keys.backup)
    expect(await restoreBackup(bytes, session)).toEqual({ restored: 1, alreadyPresent: 0 })
    expect(await titles()).toEqual(['Glucose'])
    const loaded = await loadRecordsIndex(keys)
    expect(loaded.outdated).toEqual([])
    expect(loaded.index.records).toMatchObject([{ id: old.id, title: 'Glucose', version: 1, aliases: ['Observation/glu-1'] }])
  })

  it('restores the bytes of an online backup like a file, and tells what a backup holds before restoring it', async () => {
    await importRecords(bundle(lab, allergy), 'imported', session)
    const built = await buildBackupBytes(session, 1_764_770_520_000)
    expect(built.records).toBe(2)
    expect(await readBackupSummary(built.bytes, session)).toEqual({ createdAt: 1_764_770_520_000, records: 2, consents: 0 })
    await deleteCareKeyDb()
    const newDevice = new RecordsSession(keyring)
    expect(await restoreBackup(built.bytes, newDevice)).toEqual({ restored: 2, alreadyPresent: 0 })
    expect(await titles(newDevice)).toEqual(['HbA1c', 'Peanut'])
    keyring.set(walletB)
    await expect(readBackupSummary(built.bytes, new RecordsSession(keyring))).rejects.toBeInstanceOf(BackupFromAnotherWalletError)
  })

  it('refuses a backup from another wallet, or a truncated one, and changes nothing', async () => {
    await importRecords(bundle(lab), 'imported', session)
    const { file } = await exportBackup(session)
    keyring.set(walletB)
    const other = new RecordsSession(keyring)
    await importRecords(bundle(allergy), 'imported', other)
    await expect(restoreBackup(file, other)).rejects.toBeInstanceOf(BackupFromAnotherWalletError)
    keyring.set(walletA)
    const same = new RecordsSession(keyring)
    const cut = new Blob([(await file.arrayBuffer()).slice(0, file.size - 20)])
    await expect(restoreBackup(cut, same)).rejects.toBeInstanceOf(BackupTruncatedError)
    expect(await (await openCareKeyDb()).count('records')).toBe(2)
  })
})

describe('for the consent and share features', () => {
  it('returns the FHIR resources of chosen categories and records', async () => {
    await importRecords(bundle(allergy, lab, { resourceType: 'Condition', subject: {}, code: { text: 'Asthma' } }), 'imported', session)
    const asthma = (await session.index()).records.find((r) => r.title === 'Asthma')
    const shared = await selectRecordsForSharing(walletA, { categories: ['allergies'], recordIds: [asthma?.id ?? ''] }, {}, session)
    expect(shared.map((r) => r.resourceType).sort()).toEqual(['AllergyIntolerance', 'Condition'])
  })
})
