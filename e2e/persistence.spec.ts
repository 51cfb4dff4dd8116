import { randomBytes } from 'node:crypto'
import type { Page } from '@playwright/test'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { DB_VERSION } from '../src/storage/db.ts'
import { FROZEN_PDF, readFrozenDatabase } from './fixtures/frozen.ts'
import { ConsentPage, PATIENT_RECORDS } from './pages/ConsentPage.ts'
import { RecordsPage } from './pages/RecordsPage.ts'
import { expect, KNOWN_ADDRESS, KNOWN_PHRASE, PASSPHRASE, test } from './support/fixtures.ts'
import { loadIndexedDb } from './support/indexedDbDump.ts'

const json = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) })

/** A FHIR bundle of `count` distinct lab results, each with a note of `noteBytes` random characters. */
function largeBundle(count: number, noteBytes = 400) {
  return json('large-import.json', {
    resourceType: 'Bundle',
    type: 'collection',
    entry: Array.from({ length: count }, (_, i) => ({
      resource: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: `Large import result ${i}` },
        effectiveDateTime: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString(),
        valueQuantity: { value: i, unit: 'mg/dL' },
        note: [{ text: randomBytes(noteBytes / 2).toString('hex') }],
      },
    })),
  })
}

/** The ids of the records stored now, read with plain IndexedDB calls. */
async function storedRecordIds(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('carekey')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    try {
      const request = db.transaction('records').objectStore('records').getAllKeys()
      const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('read failed'))
      })
      return keys.map(String).sort()
    } finally {
      db.close()
    }
  })
}

/** Imports the small patient file (six records) on the import screen. */
async function importPatientRecords(records: RecordsPage) {
  await records.importFile(json('records.json', PATIENT_RECORDS))
  await expect(records.page.getByRole('list', { name: 'Import summary' }).getByRole('listitem').first()).toHaveText('6 imported')
}

test.describe('storage in a real browser', () => {
  test('an import larger than the space left fails with the storage-full message, and keeps every earlier record and none of its own', async ({
    page,
    baseURL,
  }) => {
    test.setTimeout(120_000)
    // Chromium's own quota for the origin, set before the first visit: its IndexedDB backend reads
    // the quota once and keeps the figure for a while, so a later override would not be seen.
    // 24 MB holds the app's precached files, the wallet and a few records, not 24 MB more.
    const cdp = await page.context().newCDPSession(page)
    const origin = new URL(baseURL ?? '').origin
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 24_000_000 })
    const wallet = new WalletPage(page)
    await wallet.open()
    await wallet.restore(KNOWN_PHRASE, PASSPHRASE)
    await wallet.expectAccount(KNOWN_ADDRESS)
    expect(await cdp.send('Storage.getUsageAndQuota', { origin })).toMatchObject({ quota: 24_000_000, overrideActive: true })

    const records = new RecordsPage(page)
    await importPatientRecords(records)
    const before = await storedRecordIds(page)
    expect(before).toHaveLength(6)

    await records.importFile(largeBundle(2000, 12_000))
    const alert = page.getByRole('alert')
    await expect(alert).toContainText('This device is out of storage space for CareKey, so nothing was saved.', { timeout: 60_000 })
    await expect(alert).toContainText('Your existing data is unchanged.')
    expect(await storedRecordIds(page)).toEqual(before)
    await records.open()
    await expect(records.count).toHaveText('6 records.')
  })

  test('a tab closed while an import is being written leaves all of it or none of it, and CareKey opens normally', async ({ page, unlockedWallet, context }) => {
    test.setTimeout(120_000)
    const records = new RecordsPage(page)
    await importPatientRecords(records)
    const before = await storedRecordIds(page)

    await records.openTools('Import a FHIR file')
    await page.getByLabel('FHIR file').setInputFiles(largeBundle(1500))
    // The import measures its phases; "encrypt" ends right before its one write transaction opens.
    const writing = page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          new PerformanceObserver((list, observer) => {
            if (list.getEntriesByName('carekey.records.import.encrypt').length) {
              observer.disconnect()
              resolve()
            }
          }).observe({ type: 'measure' })
        }),
    )
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await writing
    await page.close()

    const again = await context.newPage()
    const wallet = new WalletPage(again)
    await wallet.open()
    await wallet.expectLocked()
    await wallet.unlock(PASSPHRASE)
    await wallet.expectAccount(KNOWN_ADDRESS)
    const after = await storedRecordIds(again)
    const outcome = after.length === before.length ? 'none of the import' : 'all of the import'
    test.info().annotations.push({ type: 'outcome', description: `the tab closed mid-import: ${outcome} was stored` })
    expect([before.length, before.length + 1500]).toContain(after.length)
    expect(after).toEqual(expect.arrayContaining(before))
    const shown = new RecordsPage(again)
    await shown.open()
    await expect(shown.count).toHaveText(after.length === before.length ? '6 records.' : /^Showing 50 of 1506 records\.$/)
    void unlockedWallet
  })

  test('a wallet stored by schema version 1 (frozen, written by that version) unlocks in today’s CareKey, which upgrades it and works on', async ({ page }) => {
    const frozen = readFrozenDatabase('carekey-schema-v1.json')
    expect(frozen.database.version).toBe(1)
    // A page of the origin that runs no CareKey code, so nothing opens the database first.
    await page.goto('/favicon.svg')
    await loadIndexedDb(page, frozen.database)

    const wallet = new WalletPage(page)
    await wallet.open()
    await wallet.expectLocked()
    await wallet.unlock(frozen.wallet.passphrase)
    await wallet.expectAccount(frozen.wallet.address)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    await expect(page.getByLabel('Lock after this long without use')).toHaveValue('15')
    expect(await page.evaluate(() => indexedDB.databases())).toContainEqual({ name: 'carekey', version: DB_VERSION })

    const records = new RecordsPage(page)
    await importPatientRecords(records)
    // Whatever unlocking rewrote (a stronger key derivation) still opens.
    await page.getByRole('button', { name: 'Lock' }).click()
    await wallet.unlock(frozen.wallet.passphrase)
    await wallet.expectAccount(frozen.wallet.address)
  })

  test('records, a document, consents and a share stored by schema version 4 (frozen, written by that version) all read in today’s CareKey', async ({
    page,
  }) => {
    test.setTimeout(90_000)
    const frozen = readFrozenDatabase('carekey-schema-v4.json')
    expect(frozen.database.version).toBe(4)
    await page.goto('/favicon.svg')
    await loadIndexedDb(page, frozen.database)

    const wallet = new WalletPage(page)
    await wallet.open()
    await wallet.unlock(frozen.wallet.passphrase)
    await wallet.expectAccount(frozen.wallet.address)

    const records = new RecordsPage(page)
    await records.open()
    await expect(records.count).toHaveText('8 records.')
    await expect(page.getByText(/could not be read/)).toHaveCount(0)
    expect(new Set(await records.listedTitles())).toEqual(
      new Set(['Peanut allergy', 'Penicillin allergy', 'Salbutamol inhaler', 'Cetirizine 10 mg', 'Asthma', 'HbA1c', 'Latex', 'Discharge letter']),
    )
    await page.getByRole('link', { name: /^Latex/ }).click()
    await expect(page.getByRole('region', { name: 'Record details' })).toContainText('ReactionsItchy red skin (moderate)')
    await records.open()
    await page.getByRole('link', { name: /^Discharge letter/ }).click()
    const file = await records.download('Download discharge-letter.pdf')
    expect(file.bytes.toString('latin1')).toBe(FROZEN_PDF)

    const consent = new ConsentPage(page)
    await consent.open()
    await expect(page.getByRole('list', { name: 'Consents on this device' }).getByTestId('consent-item')).toHaveCount(2)
    await expect(consent.item('Dr. Ada Lee')).toContainText('Allergies and Medications · Treatment')
    await expect(consent.item('QR code')).toContainText('Conditions')
    // Its share's screen is not opened: it would ask the share host the frozen database was made with (another port) for the access log.

    await page.getByRole('button', { name: 'Lock' }).click()
    await wallet.unlock(frozen.wallet.passphrase)
    await records.open()
    await expect(records.count).toHaveText('8 records.')
  })

  test('two tabs: a record added in one shows in the other; removing the wallet in one stops the other, which asks for a reload and recreates nothing', async ({
    page,
    unlockedWallet,
    context,
  }) => {
    const first = new RecordsPage(page)
    const secondPage = await context.newPage()
    const secondWallet = new WalletPage(secondPage)
    await secondWallet.open()
    await secondWallet.unlock(PASSPHRASE)
    await secondWallet.expectAccount(KNOWN_ADDRESS)

    await first.addRecord('Allergy')
    await page.getByLabel('Substance').fill('Latex')
    await page.getByRole('button', { name: 'Save allergy' }).click()
    await expect(page.getByRole('heading', { name: 'Latex', level: 1 })).toBeVisible()

    const second = new RecordsPage(secondPage)
    await secondPage.reload()
    await secondWallet.unlock(PASSPHRASE)
    await second.open()
    // The list fills in once the other tab's index is read: wait for it rather than read it at once.
    await expect(second.listedRecords.getByRole('strong')).toHaveText(['Latex'])

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('link', { name: /Remove wallet from this device/ }).click()
    await page.getByLabel('Type REMOVE to confirm').fill('REMOVE')
    await page.getByRole('button', { name: 'Remove wallet' }).click()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()

    await expect(secondPage.getByRole('heading', { name: 'CareKey was changed in another tab' })).toBeVisible()
    await expect(secondPage.getByRole('button', { name: 'Lock' })).toHaveCount(0)
    expect(await page.evaluate(() => indexedDB.databases())).toEqual([{ name: 'carekey', version: DB_VERSION }])
    expect(await storedRecordIds(page)).toEqual([])
    await secondPage.getByRole('button', { name: 'Reload CareKey' }).click()
    await expect(secondPage.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
    void unlockedWallet
  })

  test('a newer CareKey upgrading the schema in another tab is not blocked by an open tab, which stops and keeps the data as it was', async ({
    page,
    unlockedWallet,
    context,
  }) => {
    const records = new RecordsPage(page)
    await importPatientRecords(records)
    const before = await storedRecordIds(page)

    // The newer version, in a tab of its own: it opens the database one version up.
    const newer = await context.newPage()
    await newer.goto('/favicon.svg')
    const upgraded = await newer.evaluate(
      (version) =>
        new Promise<{ version: number; stores: string[] }>((resolve, reject) => {
          const request = indexedDB.open('carekey', version)
          request.onupgradeneeded = () => request.result.createObjectStore('fromANewerVersion')
          request.onblocked = () => reject(new Error('the upgrade was blocked by the open tab'))
          request.onsuccess = () => {
            const db = request.result
            resolve({ version: db.version, stores: Array.from(db.objectStoreNames) })
            db.close()
          }
          request.onerror = () => reject(request.error ?? new Error('open failed'))
        }),
      DB_VERSION + 1,
    )
    expect(upgraded.version).toBe(DB_VERSION + 1)
    expect(upgraded.stores).toContain('records')

    await expect(page.getByRole('heading', { name: 'CareKey was changed in another tab' })).toBeVisible()
    expect(await storedRecordIds(newer)).toEqual(before)
    void unlockedWallet
  })
})
