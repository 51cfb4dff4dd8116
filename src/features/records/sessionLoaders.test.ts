import 'fake-indexeddb/auto'
import type { Observation } from '@medplum/fhirtypes'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bytesEqual, fromBase64Url } from '../../domain/crypto/bytes.ts'
import type { RecordCategory } from '../../domain/fhir/categories.ts'
import { decryptAttachment } from '../../domain/records/attachments.ts'
import { deriveRecordsKeys } from '../../domain/records/keys.ts'
import { encryptRecord, RecordDamagedError, summarizeResource } from '../../domain/records/records.ts'
import { deriveWalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { closeCareKeyDb, openCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { readAllRecordRows, readAttachment, readRecordRow, RECORDS_MANIFEST_SETTING, writeRecordsChange } from '../../storage/recordsRepository.ts'
import { FORMAT1 } from '../../test/format1Fixture.ts'
import { asRevisionOne } from '../../test/storedSummary.ts'
import { keyring } from '../wallet/index.ts'
import { deleteRecord, readAttachmentFile, readRecord, saveRecord } from './recordsActions.ts'
import { RecordsSession } from './session.ts'
import { loadRecordsIndex, upgradeRecordsAtRest } from './sessionLoaders.ts'

const wallet = await deriveWalletKeys(parseRecoveryPhrase(FORMAT1.phrase))
const keys = await deriveRecordsKeys(wallet.root)
const lab = (text: string): Observation => ({ resourceType: 'Observation', status: 'final', code: { text } })

async function row(text: string, category?: RecordCategory) {
  const base = await summarizeResource(lab(text), 'entered')
  const summary = { ...base, category: category ?? base.category, id: crypto.randomUUID(), createdAt: 1, updatedAt: 1 }
  return encryptRecord({ summary, resource: lab(text) }, keys.records)
}

const titles = async () => (await loadRecordsIndex(keys)).index.records.map((r) => r.title).sort()
const damaged = async () => (await loadRecordsIndex(keys)).index.damaged

/** Puts the frozen format 1 rows in the database, as an older CareKey left them. */
async function storeFormat1Rows() {
  const db = await openCareKeyDb()
  for (const r of FORMAT1.records) await db.put('records', structuredClone(r))
  for (const { attachment, chunks } of FORMAT1.attachments) {
    await db.put('attachments', structuredClone(attachment))
    for (const chunk of chunks) await db.put('attachmentChunks', structuredClone(chunk))
  }
}

/** Waits until the writes a session has queued (among them the upgrade after unlock) are done. */
const settled = (session: RecordsSession) => session.write(async (index) => ({ result: undefined, index }))

let n = 0
beforeEach(async () => {
  await useDatabaseName(`records-index-${++n}`)
  keyring.set(wallet)
})
afterEach(() => closeCareKeyDb())

describe('the records index at unlock', () => {
  it('counts a record whose summary its schema refuses, and still shows the others', async () => {
    // Sealed correctly, but by a version of CareKey with a category this one does not know.
    const unreadable = await row('Genome', 'genomics' as RecordCategory)
    await writeRecordsChange({ putRecords: [await row('HbA1c'), unreadable, await row('Ferritin')] }, keys.manifest)
    expect(await titles()).toEqual(['Ferritin', 'HbA1c'])
    expect(await damaged()).toBe(1)
  })

  it('counts a row whose version, date or id was changed on disk as damaged, and still shows the others', async () => {
    const [a, b, c] = [await row('HbA1c'), await row('Ferritin'), await row('Lipids')]
    await writeRecordsChange({ putRecords: [a, b, c] }, keys.manifest)
    const db = await openCareKeyDb()
    for (const changed of [{ ...b, version: 2 }, { ...b, updatedAt: b.updatedAt + 60_000 }]) {
      await db.put('records', changed)
      expect(await titles()).toEqual(['HbA1c', 'Lipids'])
      expect(await damaged()).toBe(1)
    }
    // Moved under another id.
    await db.delete('records', b.id)
    await db.put('records', { ...b, id: crypto.randomUUID() })
    expect(await titles()).toEqual(['HbA1c', 'Lipids'])
    expect(await damaged()).toBe(1)
  })

  it('counts an older copy of a record put back as damaged, and a deleted record put back too', async () => {
    const session = new RecordsSession(keyring)
    const saved = await saveRecord(lab('HbA1c 5.4 %'), undefined, session)
    const older = await readRecordRow(saved.id)
    await saveRecord(lab('HbA1c 5.6 %'), saved.id, session)
    const kept = await saveRecord(lab('Ferritin'), undefined, session)
    const db = await openCareKeyDb()
    if (!older) throw new Error('the first copy expected')

    // The whole older row, metadata and ciphertext together, as a restored copy of the profile would hold it.
    await db.put('records', older)
    await expect(readRecord(saved.id, session)).rejects.toThrow(RecordDamagedError)
    expect(await titles()).toEqual(['Ferritin'])
    expect(await damaged()).toBe(1)

    await deleteRecord(saved.id, session)
    expect(await damaged()).toBe(0)
    await db.put('records', older)
    expect(await titles()).toEqual(['Ferritin'])
    expect(await damaged()).toBe(1)
    expect((await readRecord(kept.id, session)).resource).toMatchObject({ code: { text: 'Ferritin' } })
  })

  it('shows the records that open when the manifest is removed or damaged, says their versions were not checked, and checks again after the next write', async () => {
    const session = new RecordsSession(keyring)
    const saved = await saveRecord(lab('HbA1c 5.4 %'), undefined, session)
    const older = await readRecordRow(saved.id)
    await saveRecord(lab('HbA1c 5.6 %'), saved.id, session)
    await saveRecord(lab('Ferritin'), undefined, session)
    const db = await openCareKeyDb()
    if (!older) throw new Error('the first copy expected')
    expect((await loadRecordsIndex(keys)).index.versionsUnchecked).toBe(false)

    await db.delete('settings', RECORDS_MANIFEST_SETTING)
    let { index } = await loadRecordsIndex(keys)
    expect(index.records.map((r) => r.title).sort()).toEqual(['Ferritin', 'HbA1c 5.6 %'])
    expect(index).toMatchObject({ damaged: 0, versionsUnchecked: true })

    await db.put('settings', { format: 1, generation: 3, sealed: { iv: new Uint8Array(12), ciphertext: new Uint8Array(32) } }, RECORDS_MANIFEST_SETTING)
    ;({ index } = await loadRecordsIndex(keys))
    expect(index.records.map((r) => r.title).sort()).toEqual(['Ferritin', 'HbA1c 5.6 %'])
    expect(index).toMatchObject({ damaged: 0, versionsUnchecked: true })

    // The next write lists every row stored: nothing hidden, the notice gone, rollbacks noticed again.
    await saveRecord(lab('Lipids'), undefined, session)
    ;({ index } = await loadRecordsIndex(keys))
    expect(index.records.map((r) => r.title).sort()).toEqual(['Ferritin', 'HbA1c 5.6 %', 'Lipids'])
    expect(index).toMatchObject({ damaged: 0, versionsUnchecked: false })
    await db.put('records', older)
    expect(await titles()).toEqual(['Ferritin', 'Lipids'])
    expect(await damaged()).toBe(1)
  })

  it('says nothing about versions for a wallet with no records and no manifest', async () => {
    expect((await loadRecordsIndex(keys)).index).toMatchObject({ records: [], damaged: 0, versionsUnchecked: false })
  })
})

describe('records stored in format 1 by an older CareKey', () => {
  it('are read at unlock and re-sealed in today’s format afterwards, each reading back the same', async () => {
    await storeFormat1Rows()
    const session = new RecordsSession(keyring)
    const index = await session.index()
    expect(index.records.map((r) => r.title).sort()).toEqual([...FORMAT1.expected.titles].sort())
    expect(index.damaged).toBe(0)
    const before = await Promise.all(index.records.map(async (r) => (await readRecord(r.id, session)).resource))

    await settled(session)
    const { rows, manifest } = await readAllRecordRows(keys.manifest)
    expect(rows.map((r) => r.format)).toEqual([2, 2, 2])
    expect(manifest.kind === 'found' && [...manifest.manifest.versions.values()]).toEqual([0, 0, 0])
    const after = new RecordsSession(keyring)
    expect((await after.index()).records).toEqual(index.records)
    expect(await Promise.all(index.records.map(async (r) => (await readRecord(r.id, after)).resource))).toEqual(before)

    const [frozen] = FORMAT1.attachments
    const stored = await readAttachment(frozen?.attachment.id ?? '')
    expect(stored?.attachment.format).toBe(2)
    const file = await readAttachmentFile(frozen?.attachment.id ?? '', 'application/pdf', after)
    expect(bytesEqual(new Uint8Array(await file.arrayBuffer()), fromBase64Url(FORMAT1.expected.attachment))).toBe(true)
  })

  it('are edited into version 1, and a format 1 copy put back after the upgrade is refused', async () => {
    await storeFormat1Rows()
    const session = new RecordsSession(keyring)
    const [frozen] = FORMAT1.records
    await session.index()
    await settled(session)
    const edited = await saveRecord(lab('HbA1c 5.9 %'), frozen?.id, session)
    expect(edited.version).toBe(1)
    if (!frozen) throw new Error('a frozen row expected')
    await (await openCareKeyDb()).put('records', structuredClone(frozen))
    expect(await titles()).toEqual(['Discharge letter', 'Latex'])
    expect(await damaged()).toBe(1)
  })

  it('are left as they are when they do not open, and the upgrade stops once the wallet is locked', async () => {
    await storeFormat1Rows()
    const db = await openCareKeyDb()
    const [first, second] = FORMAT1.records
    if (!first || !second) throw new Error('frozen rows expected')
    const changed = structuredClone(second)
    changed.resource.ciphertext[0] = (changed.resource.ciphertext[0] ?? 0) ^ 1
    await db.put('records', changed)
    const { outdated } = await loadRecordsIndex(keys)
    expect(await upgradeRecordsAtRest(keys, outdated, () => false)).toEqual({ records: 0, attachments: 0 })
    expect(await upgradeRecordsAtRest(keys, outdated, () => true)).toEqual({ records: 2, attachments: 1 })
    expect(await readRecordRow(second.id)).toEqual(changed)
    expect((await readRecordRow(first.id))?.format).toBe(2)
    const [frozen] = FORMAT1.attachments
    const stored = await readAttachment(frozen?.attachment.id ?? '')
    expect(stored && bytesEqual(await decryptAttachment(stored.attachment, stored.chunks, keys.records), fromBase64Url(FORMAT1.expected.attachment))).toBe(true)
  })
})

describe('summaries written by an older summary revision', () => {
  async function revisionOneRow(resource: Observation, oldTitle: string) {
    const summary = { ...(await summarizeResource(resource, 'imported')), id: crypto.randomUUID(), version: 1, createdAt: 1, updatedAt: 1 }
    return asRevisionOne(await encryptRecord({ summary, resource }, keys.records), keys.records, { title: oldTitle })
  }

  it('show today’s summary from the first unlock, and are re-sealed once afterwards with their version and dates', async () => {
    const glucose: Observation = { ...lab('Glucose [Mass/volume] in Serum or Plasma'), id: 'glu-1' }
    const old = await revisionOneRow(glucose, 'Glucose [Mass/volume] in Serum or Plasma')
    await writeRecordsChange({ putRecords: [old, await row('Ferritin')] }, keys.manifest)

    const session = new RecordsSession(keyring)
    const index = await session.index()
    expect(index.records.map((r) => r.title).sort()).toEqual(['Ferritin', 'Glucose'])
    expect(index.records.find((r) => r.title === 'Glucose')?.aliases).toEqual(['Observation/glu-1'])
    await settled(session)

    const resealed = await readRecordRow(old.id)
    expect(resealed).toMatchObject({ format: 2, version: 1, createdAt: 1, updatedAt: 1 })
    expect(resealed?.summary.ciphertext).not.toEqual(old.summary.ciphertext)
    const again = await loadRecordsIndex(keys)
    expect(again.outdated).toEqual([])
    expect(again.index.records).toEqual(index.records)
    expect((await readRecord(old.id, session)).resource).toEqual(glucose)
  })
})
