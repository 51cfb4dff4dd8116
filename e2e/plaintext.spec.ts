import type { Page } from '@playwright/test'
import { decodeShlink } from '../src/domain/shl/index.ts'
import { base64url } from 'jose'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { findNeedles } from '../scripts/lib/plaintextScan.ts'
import { ConsentPage } from './pages/ConsentPage.ts'
import { freshPatient } from './pages/ConsentChain.ts'
import { RecordsPage } from './pages/RecordsPage.ts'
import { SharePage } from './pages/SharePage.ts'
import { expect, PASSPHRASE, test } from './support/fixtures.ts'
import { launchPersistentBrowser, patientNeedles, scanClosedProfile, scanOriginStorage, type Finding, type Needle } from './support/plaintextScan.ts'

// The scan of a profile on disk reads every file of a real Chromium profile (see
// scripts/lib/plaintextScan.ts): IndexedDB's LevelDB logs record by record, its tables with their
// snappy blocks decompressed, snappy-compressed IndexedDB values, blob files, Cache Storage,
// localStorage, OPFS. sessionStorage is read through the page only: Chromium keeps it in memory.

const CLINICIAN = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const PATIENT_NAME = 'Philippa Quenneville'
/**
 * The test patient's records. Their texts are made up, so that no other file of a profile
 * (the app's own code in Cache Storage among them) holds them.
 */
const RECORDS = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    { resourceType: 'AllergyIntolerance', patient: { display: PATIENT_NAME }, code: { text: 'Quince blossom allergy' }, recordedDate: '2019-04-02' },
    { resourceType: 'AllergyIntolerance', patient: { display: PATIENT_NAME }, code: { text: 'Tarragon sensitivity' }, recordedDate: '2015-09-12' },
    { resourceType: 'MedicationStatement', status: 'active', subject: { display: PATIENT_NAME }, medicationCodeableConcept: { text: 'Vorapraxil 40 mg' } },
    { resourceType: 'MedicationStatement', status: 'active', subject: { display: PATIENT_NAME }, medicationCodeableConcept: { text: 'Cindralone nasal spray' } },
    { resourceType: 'Condition', subject: { display: PATIENT_NAME }, code: { text: 'Harrowgate tremor' } },
    { resourceType: 'Observation', status: 'final', code: { text: 'Zephyr enzyme panel' }, valueQuantity: { value: 5.6, unit: '%' } },
  ].map((resource) => ({ resource })),
}
const RECORD_TEXTS = {
  'patient name': PATIENT_NAME,
  'allergy text': 'Quince blossom allergy',
  'second allergy text': 'Tarragon sensitivity',
  'medication text': 'Vorapraxil 40 mg',
  'second medication text': 'Cindralone nasal spray',
  'condition text': 'Harrowgate tremor',
  'lab result text': 'Zephyr enzyme panel',
}

/** Where each needle was found, for a readable failure. */
const summary = (findings: Finding[]) => findings.map((f) => `${f.needle} in ${f.where} (${f.encoding})`)

test('the scan finds what is put in each store on purpose, in the page and in the profile on disk, and nothing that was never stored', async ({ baseURL }, testInfo) => {
  test.setTimeout(120_000)
  const browser = await launchPersistentBrowser(testInfo, baseURL)
  const { page } = browser
  await page.goto('/')
  const planted = {
    'IndexedDB string': 'Needle in an IndexedDB string',
    'IndexedDB blob': 'Needle in an IndexedDB blob',
    'IndexedDB bytes': 'Needle in IndexedDB bytes',
    // Chromium snappy-compresses this large value: the needle's second half is a copy of the first occurrence.
    'compressed IndexedDB value': 'Needle compressed away',
    // Megabytes written after it push it into a LevelDB table with snappy blocks; likewise split by a copy.
    'LevelDB table entry': 'Needle in a LevelDB table',
    'Cache Storage': 'Needle in Cache Storage',
    localStorage: 'Needle in localStorage',
    sessionStorage: 'Needle in sessionStorage',
    OPFS: 'Needle in OPFS',
  }
  await page.evaluate(async (planted) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('plaintext-proof', 1)
      request.onupgradeneeded = () => request.result.createObjectStore('proof')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    const tx = db.transaction('proof', 'readwrite')
    const store = tx.objectStore('proof')
    store.put(planted['IndexedDB string'], 'string')
    store.put(new Blob([planted['IndexedDB blob']]), 'blob')
    store.put(new TextEncoder().encode(planted['IndexedDB bytes']), 'bytes')
    store.put(`Needle compressed${'abcabcabc '.repeat(20_000)}Needle compressed away`, 'compressed')
    store.put(`Needle in a LevelDB${'y'.repeat(3000)}Needle in a LevelDB table`, 'table')
    for (let i = 0; i < 250; i++) store.put(crypto.getRandomValues(new Uint8Array(30_000)), `filler-${i}`)
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onabort = () => reject(tx.error ?? new Error('aborted'))
    })
    db.close()
    await (await caches.open('plaintext-proof')).put('/plaintext-proof', new Response(planted['Cache Storage']))
    localStorage.setItem('plaintext-proof', planted.localStorage)
    sessionStorage.setItem('plaintext-proof', planted.sessionStorage)
    const file = await (await navigator.storage.getDirectory()).getFileHandle('plaintext-proof.txt', { create: true })
    const writable = await file.createWritable()
    await writable.write(planted.OPFS)
    await writable.close()
  }, planted)

  const needles: Needle[] = [...Object.entries(planted).map(([label, text]) => ({ label, text })), { label: 'never stored', text: 'Needle nobody wrote' }]
  const inPage = await scanOriginStorage(page, needles)
  expect(new Set(inPage.findings.map((f) => f.needle))).toEqual(new Set(Object.keys(planted)))

  const { findings, coverage } = await scanClosedProfile(browser, needles)
  const found = (label: string) => findings.filter((f) => f.needle === label)
  for (const label of ['IndexedDB string', 'IndexedDB blob', 'IndexedDB bytes', 'Cache Storage', 'localStorage', 'OPFS']) {
    expect(found(label), `${label} on disk`).not.toEqual([])
  }
  // Found only by decompressing (a snappy value, a snappy table block): in no file's raw bytes.
  const asStored = (label: string) => found(label).filter((f) => !f.where.endsWith(')'))
  expect(asStored('compressed IndexedDB value')).toEqual([])
  expect(found('compressed IndexedDB value').map((f) => f.where)).toContainEqual(expect.stringContaining('(snappy-compressed IndexedDB value)'))
  expect(asStored('LevelDB table entry')).toEqual([])
  expect(found('LevelDB table entry').map((f) => f.where)).toContainEqual(expect.stringMatching(/\.ldb \(table entry\)$/))
  expect(found('never stored')).toEqual([])
  expect(coverage.leveldbTableBlocks).toBeGreaterThan(0)
  expect(coverage.unreadableBlocks).toEqual([])
})

test('after a consent is granted: no secret or record text in any store, in the profile on disk or in the exported backup', async ({ baseURL }, testInfo) => {
  test.setTimeout(150_000)
  const patient = await freshPatient()
  const browser = await launchPersistentBrowser(testInfo, baseURL)
  const { page } = browser
  const consent = new ConsentPage(page)
  await setUpPatient(page, patient.phrase)
  // A record typed in, and its page opened: neither the form nor the title may be kept by the browser.
  await consent.records.addRecord('Allergy')
  await page.getByLabel('Substance').fill('Quillwort pollen')
  await page.getByLabel('Reaction (optional)', { exact: true }).fill('Speckled hives')
  await page.getByRole('button', { name: 'Save allergy' }).click()
  await expect(page.getByRole('heading', { name: 'Quillwort pollen', level: 1 })).toBeVisible()
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies', 'Medications'], grantee: CLINICIAN, name: 'Dr. Ada Lee', purpose: /^Treatment/ })
  await consent.review()
  await consent.grantAndConfirm()
  await expect(consent.status()).toHaveText('Active')
  await consent.open()
  await expect(consent.item('Dr. Ada Lee')).toContainText('Allergies and Medications · Treatment')
  const backup = await consent.records.exportBackup()

  const needles = patientNeedles(
    { phrase: patient.phrase, passphrase: PASSPHRASE },
    { ...RECORD_TEXTS, 'typed allergy': 'Quillwort pollen', 'typed reaction': 'Speckled hives', 'clinician name': 'Dr. Ada Lee' },
  )
  expect(summary(findNeedles(`backup ${backup.name}`, backup.bytes, needles)), 'the exported backup').toEqual([])
  const inPage = await scanOriginStorage(page, needles)
  expect(inPage.pieces.filter((p) => p.where.startsWith('IndexedDB carekey/consents/')).length).toBe(1)
  expect(inPage.pieces.filter((p) => p.where.startsWith('IndexedDB carekey/records/')).length).toBe(7)
  expect(summary(inPage.findings), 'the stores, read by the page').toEqual([])
  const onDisk = await scanClosedProfile(browser, needles)
  expect(onDisk.coverage.leveldbLogRecords).toBeGreaterThan(0)
  expect(onDisk.coverage.unreadableBlocks).toEqual([])
  expect(summary(onDisk.findings), 'the profile on disk').toEqual([])
})

test('with a QR share made and shown: no share key, passcode, link, secret or record text in any store or in the profile on disk', async ({ baseURL }, testInfo) => {
  test.setTimeout(150_000)
  const patient = await freshPatient()
  const browser = await launchPersistentBrowser(testInfo, baseURL)
  const consent = new ConsentPage(browser.page)
  const share = new SharePage(browser.page)
  await setUpPatient(browser.page, patient.phrase)
  const passcode = 'Lantern-4821'
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies', 'Conditions'], grantee: 'qr', qr: { label: 'Quayside walk-in clinic', passcode } })
  await consent.review()
  await consent.grantAndConfirm()
  await share.expectReady()
  const link = await share.decodeQr()
  const { payload } = decodeShlink(link)
  expect(payload.flags).toContain('P')

  const needles: Needle[] = [
    ...patientNeedles({ phrase: patient.phrase, passphrase: PASSPHRASE }, { ...RECORD_TEXTS, passcode, 'share label': 'Quayside walk-in clinic' }),
    { label: 'share key (as in the link)', text: payload.key },
    { label: 'share key (bytes)', bytes: base64url.decode(payload.key) },
    { label: 'share link', text: link.slice(link.indexOf('shlink:/')) },
  ]
  const inPage = await scanOriginStorage(browser.page, needles)
  expect(inPage.pieces.filter((p) => p.where.startsWith('IndexedDB carekey/shares/')).length).toBe(1)
  expect(summary(inPage.findings), 'the stores, read by the page').toEqual([])
  const onDisk = await scanClosedProfile(browser, needles)
  expect(onDisk.coverage.unreadableBlocks).toEqual([])
  expect(summary(onDisk.findings), 'the profile on disk').toEqual([])
})

/** Restores the patient's wallet with the tests' passphrase and imports their records. */
async function setUpPatient(page: Page, phrase: string) {
  const wallet = new WalletPage(page)
  await wallet.open()
  await wallet.restore(phrase, PASSPHRASE)
  await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible()
  await new RecordsPage(page).importFile({ name: 'records.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(RECORDS)) })
  await expect(page.getByRole('list', { name: 'Import summary' }).getByRole('listitem').first()).toHaveText('6 imported')
}
