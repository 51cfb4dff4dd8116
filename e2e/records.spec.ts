import { SAMPLE_PATIENT } from '../scripts/lib/samplePatient.ts'
import { RecordsPage } from './pages/RecordsPage.ts'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { expect, KNOWN_PHRASE, PASSPHRASE, test } from './support/fixtures.ts'
import { dumpOriginStorage } from './support/storage.ts'

/** A small but real PDF (one empty page) with a marker that must never be stored in plaintext. */
const PDF = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >> endobj',
    '% Discharge summary for the sample patient: wound healing well',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n'),
)
const pdfFile = { name: 'discharge-letter.pdf', mimeType: 'application/pdf', buffer: PDF }
const json = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) })

const LOINC = 'http://loinc.org'
const v3 = (code: string) => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code }] }]
const lab = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }]
const ines = { reference: 'Patient/p-7' }
/** A patient portal's export as such files come: LOINC long names, ranges, references between entries. */
const PORTAL_EXPORT = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [
    {
      fullUrl: 'https://portal.example.org/fhir/Patient/p-7',
      resource: { resourceType: 'Patient', id: 'p-7', name: [{ given: ['Ines'], family: 'Quartermaine' }], birthDate: '1984-11-02', gender: 'female' },
    },
    {
      fullUrl: 'https://portal.example.org/fhir/DiagnosticReport/r-1',
      resource: {
        resourceType: 'DiagnosticReport',
        id: 'r-1',
        status: 'final',
        subject: ines,
        code: { coding: [{ system: LOINC, code: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma' }], text: 'Metabolic panel' },
        effectiveDateTime: '2025-02-03T08:00:00Z',
        result: [{ reference: 'Observation/glu-1' }, { reference: 'https://portal.example.org/fhir/Observation/k-1' }, { reference: 'Observation/na-1', display: 'Sodium' }],
      },
    },
    {
      fullUrl: 'https://portal.example.org/fhir/Observation/glu-1',
      resource: {
        resourceType: 'Observation',
        id: 'glu-1',
        status: 'final',
        category: lab,
        subject: ines,
        code: { coding: [{ system: LOINC, code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' }] },
        effectiveDateTime: '2025-02-03T08:00:00Z',
        valueQuantity: { value: 131, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
        referenceRange: [{ low: { value: 70, unit: 'mg/dL', code: 'mg/dL' }, high: { value: 99, unit: 'mg/dL', code: 'mg/dL' } }],
      },
    },
    {
      fullUrl: 'https://portal.example.org/fhir/Observation/k-1',
      resource: {
        resourceType: 'Observation',
        id: 'k-1',
        status: 'final',
        category: lab,
        subject: ines,
        code: { coding: [{ system: LOINC, code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' }], text: 'Potassium' },
        effectiveDateTime: '2025-02-03T08:00:00Z',
        valueQuantity: { value: 3.1, unit: 'mmol/L' },
        interpretation: v3('L'),
        referenceRange: [{ low: { value: 3.5, unit: 'mmol/L' }, high: { value: 5.1, unit: 'mmol/L' } }],
      },
    },
    {
      resource: { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Fasting glucose under 100 mg/dL' }, subject: ines, startDate: '2025-02-10' },
    },
    {
      resource: {
        resourceType: 'Condition',
        subject: ines,
        code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' }] },
        onsetDateTime: '2025-02-10',
      },
    },
    {
      resource: {
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        subject: ines,
        authoredOn: '2025-02-10',
        medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975', display: 'Metformin 500 MG Oral Tablet' }] },
      },
    },
  ],
}

test.describe('health records', () => {
  test('sample data → filter and search → lab result → add an allergy → attach a PDF → backup → remove → restore: all there, never plaintext', async ({
    page,
    unlockedWallet,
    checkA11y,
  }) => {
    test.setTimeout(180_000)
    const records = new RecordsPage(page)
    await records.open()
    await expect(page.getByRole('heading', { name: 'No records yet' })).toBeVisible()
    await checkA11y('records, empty')

    await records.loadSampleData()
    // The timeline's records: the sample patient's own record is shown apart, as "About you".
    const total = Number(/of (\d+)/.exec((await records.count.textContent()) ?? '')?.[1])
    expect(total).toBeGreaterThan(300)
    await expect(records.aboutYou).toContainText(`${SAMPLE_PATIENT.given} ${SAMPLE_PATIENT.family}`)
    await expect(records.aboutYou).toContainText(/Born \d{1,2} \w{3} \d{4} · Female/)
    expect(await records.listedTitles()).not.toContain(`${SAMPLE_PATIENT.given} ${SAMPLE_PATIENT.family}`)
    await checkA11y('records timeline')

    await records.filter('Lab results')
    await expect(records.count).toHaveText(/^Showing 50 of \d+ records\.$/)
    await expect(records.listedRecords).toHaveCount(50)
    await expect(records.listedRecords.filter({ hasNotText: 'Lab results' })).toHaveCount(0)
    await records.search('hemoglobin a1c')
    await expect(records.count).toHaveText(/^\d+ records\.$/)
    expect(new Set(await records.listedTitles())).toEqual(new Set(['Hemoglobin A1c']))
    const byName = await records.count.textContent()
    // The same records by their LOINC code.
    await records.search('loinc 4548-4')
    await expect(records.count).toHaveText(byName ?? '')
    expect(new Set(await records.listedTitles())).toEqual(new Set(['Hemoglobin A1c']))
    await records.search('hemoglobin a1c')

    // The panel's result (not its report): the one with a value.
    await page.getByRole('link', { name: /^Hemoglobin A1c.* %/ }).first().click()
    await expect(page.getByRole('heading', { name: 'Hemoglobin A1c', level: 1 })).toBeVisible()
    const facts = page.getByRole('region', { name: 'Record details' })
    await expect(facts).toContainText(/Result\s*\d+(\.\d)? %/)
    await expect(facts).toContainText('Normal range4–5.6 %')
    await expect(facts).toContainText(/Interpretation(High|Normal)/)
    await expect(facts).toContainText('CodesLOINC 4548-4')
    await expect(facts).toContainText('Recorded byNorthgate Medical Laboratory')
    await page.getByText('FHIR JSON', { exact: true }).click()
    await expect(page.getByLabel('FHIR JSON of this record')).toContainText('"code": "4548-4"')
    await checkA11y('lab result')

    // Back to the list: the filter and the search are as the patient left them.
    await page.goBack()
    await expect(page.getByRole('searchbox', { name: 'Search records' })).toHaveValue('hemoglobin a1c')

    await records.addRecord('Allergy')
    await expect(page.getByRole('heading', { name: 'Add allergy' })).toBeVisible()
    await checkA11y('allergy form')
    await page.getByRole('button', { name: 'Save allergy' }).click()
    await expect(page.getByText('Enter the substance.')).toBeVisible()
    await page.getByLabel('Substance').fill('Latex')
    await page.getByLabel('Reaction (optional)', { exact: true }).fill('Itchy red skin')
    await page.getByLabel('Severity of the reaction (optional)').selectOption('moderate')
    await page.getByLabel('Risk (optional)').selectOption('low')
    await page.getByLabel('Since (optional)').fill('2015-04-20')
    await page.getByRole('button', { name: 'Save allergy' }).click()
    await expect(page.getByRole('heading', { name: 'Latex', level: 1 })).toBeVisible()
    await expect(page.getByRole('region', { name: 'Record details' })).toContainText('ReactionsItchy red skin (moderate)')
    await expect(page.getByRole('region', { name: 'Record details' })).toContainText('Since20 Apr 2015')

    await records.addRecord('Document')
    await page.getByLabel('File').setInputFiles(pdfFile)
    await page.getByLabel('Title (optional)').fill('Discharge letter')
    await page.getByRole('button', { name: 'Save document' }).click()
    await expect(page.getByRole('heading', { name: 'Discharge letter', level: 1 })).toBeVisible()
    // The policy lets the page fetch no blob: URL, so note which file each one the app makes stands for.
    await page.evaluate(() => {
      const blobs = new Map<string, Blob>()
      const createObjectURL = URL.createObjectURL.bind(URL)
      URL.createObjectURL = (blob: Blob) => {
        const url = createObjectURL(blob)
        blobs.set(url, blob)
        return url
      }
      Object.assign(window, { carekeyTestBlobs: blobs })
    })
    await page.getByRole('button', { name: 'View discharge-letter.pdf' }).click()
    await expect(page.getByTitle('PDF: discharge-letter.pdf')).toHaveAttribute('src', /^blob:/)
    const viewed = await page.evaluate(async () => {
      const src = document.querySelector('iframe')?.getAttribute('src') ?? ''
      const blob = (Reflect.get(window, 'carekeyTestBlobs') as Map<string, Blob>).get(src)
      return blob && { type: blob.type, text: await blob.text() }
    })
    expect(viewed).toEqual({ type: 'application/pdf', text: PDF.toString('latin1') })
    const downloaded = await records.download('Download discharge-letter.pdf')
    expect(downloaded.name).toBe('discharge-letter.pdf')
    expect(downloaded.bytes.equals(PDF)).toBe(true)

    const backup = await records.exportBackup()
    expect(backup.name).toMatch(/^carekey-backup-\d{4}-\d{2}-\d{2}\.carekey$/)
    await expect(page.getByTestId('storage-usage')).toContainText('CareKey uses')
    await checkA11y('backup and storage')
    const before = await records.exportedResources()
    // Every stored record: the timeline's, the two added, and the patient's own.
    expect(before).toHaveLength(total + 3)

    const stored = await dumpOriginStorage(page)
    expect(stored.length).toBeGreaterThan(500_000) // the dump did read the encrypted records
    for (const plaintext of [
      SAMPLE_PATIENT.family,
      `"${SAMPLE_PATIENT.given}"`,
      'Larkspur Community Clinic',
      'Hemoglobin A1c',
      'Peanut',
      'improved sleep',
      'Lisinopril',
      'Latex',
      'Itchy red skin',
      'Discharge letter',
      'discharge-letter.pdf',
      'wound healing well',
      'AllergyIntolerance',
    ]) {
      expect(stored, `IndexedDB holds "${plaintext}" in plaintext`).not.toContain(plaintext)
    }

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('link', { name: /Remove wallet from this device/ }).click()
    await page.getByLabel('Type REMOVE to confirm').fill('REMOVE')
    await page.getByRole('button', { name: 'Remove wallet' }).click()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()

    await unlockedWallet.restore(KNOWN_PHRASE, PASSPHRASE)
    await expect(page.getByRole('heading', { name: 'No records yet' })).toBeVisible()
    await records.restoreBackup({ name: backup.name, mimeType: 'application/octet-stream', buffer: backup.bytes })
    await expect(page.getByRole('status').filter({ hasText: 'Restore finished' })).toHaveText(
      `Restore finished: ${total + 3} records restored, 0 already in your wallet.`,
    )
    expect(await records.exportedResources()).toEqual(before)

    // Restoring again merges: nothing is doubled.
    await records.restoreBackup({ name: backup.name, mimeType: 'application/octet-stream', buffer: backup.bytes })
    await expect(page.getByRole('status').filter({ hasText: 'Restore finished' })).toHaveText(
      `Restore finished: 0 records restored, ${total + 3} already in your wallet.`,
    )
    await records.open()
    await expect(records.count).toHaveText(`Showing 50 of ${total + 2} records.`)
    await records.search('discharge letter')
    await page.getByRole('link', { name: /^Discharge letter/ }).click()
    expect((await records.download('Download discharge-letter.pdf')).bytes.equals(PDF)).toBe(true)
  })

  test('a portal export: plain test names, high and low in words, search by code, the patient apart, a goal, a report with its results', async ({
    page,
    unlockedWallet,
    checkA11y,
  }) => {
    void unlockedWallet
    const records = new RecordsPage(page)
    const file = json('portal-export.json', PORTAL_EXPORT)
    await records.importFile(file)
    await expect(page.getByRole('list', { name: 'Import summary' }).getByRole('listitem')).toHaveText(['7 imported', '0 skipped: already in your wallet', '0 rejected'])
    await page.getByRole('link', { name: 'See your records' }).click()

    await expect(records.aboutYou).toContainText('Ines Quartermaine')
    await expect(records.aboutYou).toContainText('Born 2 Nov 1984 · Female')
    await expect(records.count).toHaveText('6 records.')
    expect(new Set(await records.listedTitles())).toEqual(
      new Set(['Metabolic panel', 'Glucose', 'Potassium', 'Fasting glucose under 100 mg/dL', 'Diabetes mellitus type 2', 'Metformin 500 MG Oral Tablet']),
    )
    await expect(page.getByRole('group', { name: 'Show category' }).getByRole('button', { name: 'Other 1' })).toBeVisible()
    await expect(page.getByRole('link', { name: /^Glucose/ })).toContainText('131 mg/dL · High (normal 70–99 mg/dL)')
    await expect(page.getByRole('link', { name: /^Potassium/ })).toContainText('3.1 mmol/L · Low (normal 3.5–5.1 mmol/L)')
    await checkA11y('records with the patient apart')

    for (const [query, titles] of [
      ['2345-7', ['Glucose']],
      ['snomed 44054006', ['Diabetes mellitus type 2']],
      ['RxNorm 860975', ['Metformin 500 MG Oral Tablet']],
      ['ines', []],
    ] as const) {
      await records.search(query)
      await expect(records.listedRecords).toHaveCount(titles.length)
      expect(await records.listedTitles(), query).toEqual(titles)
    }
    await records.search('')

    await page.getByRole('link', { name: /^Metabolic panel/ }).click()
    await expect(page.getByRole('heading', { name: 'Metabolic panel', level: 1 })).toBeVisible()
    const results = page.getByRole('region', { name: 'Results of this report' })
    await expect(results.getByRole('listitem')).toHaveText([
      'Glucose131 mg/dL · High (normal 70–99 mg/dL)',
      'Potassium3.1 mmol/L · Low (normal 3.5–5.1 mmol/L)',
      'SodiumNot in your wallet: it was not in the files you imported.',
    ])
    await checkA11y('a report with its results')
    await results.getByRole('link', { name: /^Glucose/ }).click()
    await expect(page.getByRole('heading', { name: 'Glucose', level: 1 })).toBeVisible()
    const facts = page.getByRole('region', { name: 'Record details' })
    await expect(facts).toContainText('LOINC nameGlucose [Mass/volume] in Serum or Plasma')
    await expect(facts).toContainText('InterpretationHigh: above the normal range')
    await expect(facts).toContainText('Normal range70–99 mg/dL')

    await records.open()
    await page.getByRole('link', { name: /^Fasting glucose under 100 mg\/dL/ }).click()
    await expect(page.getByRole('region', { name: 'Record details' })).toContainText('GoalFasting glucose under 100 mg/dL')

    await records.open()
    await records.aboutYou.getByRole('link', { name: 'All your details' }).click()
    await expect(page.getByRole('heading', { name: 'Ines Quartermaine', level: 1 })).toBeVisible()
    await expect(page.getByText('About you, as your records give it')).toBeVisible()

    // The same export again: nothing doubled, the patient included.
    await records.importFile(file)
    await expect(page.getByRole('list', { name: 'Import summary' }).getByRole('listitem')).toHaveText(['0 imported', '7 skipped: already in your wallet', '0 rejected'])
    await records.open()
    await expect(records.count).toHaveText('6 records.')
    await expect(records.aboutYou.getByRole('link', { name: 'All your details' })).toHaveCount(1)
  })

  test('deleting a record can be undone', async ({ page, unlockedWallet }) => {
    void unlockedWallet
    const records = new RecordsPage(page)
    await records.addRecord('Condition')
    await page.getByLabel('Condition', { exact: true }).fill('Seasonal asthma')
    await page.getByLabel('Status').selectOption('active')
    await page.getByRole('button', { name: 'Save condition' }).click()
    await expect(page.getByRole('heading', { name: 'Seasonal asthma', level: 1 })).toBeVisible()
    await page.getByRole('link', { name: 'Edit' }).click()
    await page.getByLabel('Condition', { exact: true }).fill('Asthma, mostly in spring')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect(page.getByRole('heading', { name: 'Asthma, mostly in spring', level: 1 })).toBeVisible()

    await page.getByRole('button', { name: 'Delete' }).click()
    await expect(page.getByRole('status').filter({ hasText: 'Deleted “Asthma, mostly in spring”.' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'No records yet' })).toBeVisible()
    await page.getByRole('button', { name: 'Undo' }).click()
    await expect(records.count).toHaveText('1 record.')
    expect(await records.listedTitles()).toEqual(['Asthma, mostly in spring'])
  })

  test('locking forgets the decrypted records; unlocking opens them again', async ({ page, unlockedWallet }) => {
    const records = new RecordsPage(page)
    await records.open()
    await records.loadSampleData()
    await page.getByRole('button', { name: 'Lock' }).click()
    await unlockedWallet.expectLocked()
    await expect(page.getByText('Hemoglobin A1c')).toHaveCount(0)
    await unlockedWallet.unlock(PASSPHRASE)
    await expect(records.count).toHaveText(/^Showing 50 of \d+ records\.$/)
  })

  test('bad files get a clear message and change nothing; markup stays text', async ({ page, unlockedWallet, browser }) => {
    test.setTimeout(120_000)
    void unlockedWallet
    const records = new RecordsPage(page)
    const alert = page.getByRole('alert')

    await records.importFile({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"resourceType": "Bundle",') })
    await expect(alert).toContainText('This file is not valid JSON')
    await records.importFile(json('contacts.json', { name: 'Ana', phone: '555' }))
    await expect(alert).toContainText('This file is JSON but not FHIR')
    await records.importFile(json('r5.json', { resourceType: 'MedicationStatement', status: 'recorded', subject: {}, medication: { concept: { text: 'Aspirin' } } }))
    await expect(alert).toContainText('This file is FHIR R5, and CareKey reads FHIR R4 only')
    await records.importFile(json('stu3.json', { resourceType: 'AllergyIntolerance', patient: {}, clinicalStatus: 'active' }))
    await expect(alert).toContainText('This file is FHIR STU3')
    await records.importFile(json('typed.json', { resourceType: 42, status: 'final' }))
    await expect(alert).toContainText('This file is JSON but not FHIR: its resourceType is a number, not text.')
    await records.importFile(json('empty.json', { resourceType: 'Bundle', type: 'collection', entry: [] }))
    await expect(alert).toContainText('This bundle has no records in it')

    const markup = '<img src=x onerror="window.__hacked=1">Peanut <script>window.__hacked=1</script>'
    await records.importFile(
      json('markup.json', {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { resource: { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: markup } } },
          { resource: { resourceType: 'Observation', status: 'final' } },
        ],
      }),
    )
    await expect(page.getByRole('list', { name: 'Import summary' }).getByRole('listitem')).toHaveText(['1 imported', '0 skipped: already in your wallet', '1 rejected'])
    await page.getByText('Why one part was rejected').click()
    await expect(page.getByText('entry 2 (Observation): Observation.code is missing')).toBeVisible()
    await page.getByRole('link', { name: 'See your records' }).click()
    await page.getByRole('link', { name: /Peanut/ }).click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(markup)
    expect(await page.evaluate(() => 'hacked' in window || '__hacked' in window)).toBe(false)
    await expect(page.locator('main img')).toHaveCount(0)

    // A backup of another wallet (made in a separate browser), a cut and a changed backup.
    const own = await records.exportBackup()
    const other = await browser.newContext()
    const otherPage = await other.newPage()
    const otherWallet = new WalletPage(otherPage)
    await otherWallet.open()
    await otherWallet.restore('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about', PASSPHRASE)
    const foreign = await new RecordsPage(otherPage).exportBackup()
    await other.close()

    const file = (buffer: Buffer) => ({ name: 'backup.carekey', mimeType: 'application/octet-stream', buffer })
    await records.restoreBackup(file(foreign.bytes))
    await expect(alert).toContainText('This backup was made with a different wallet')
    await records.restoreBackup(file(own.bytes.subarray(0, own.bytes.length - 100)))
    await expect(alert).toContainText('This backup file is incomplete')
    const changed = Buffer.from(own.bytes)
    changed[changed.length - 40] = (changed[changed.length - 40] ?? 0) ^ 1
    await records.restoreBackup(file(changed))
    await expect(alert).toContainText('was changed or damaged after it was made')
    await records.restoreBackup(file(Buffer.from('not a backup')))
    await expect(alert).toContainText('This file is not a CareKey backup')

    await records.open()
    await expect(records.count).toHaveText('1 record.')
  })
})
