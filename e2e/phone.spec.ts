import type { Locator, Page } from '@playwright/test'
import { ConsentPage } from './pages/ConsentPage.ts'
import { freshPatient } from './pages/ConsentChain.ts'
import { SharePage } from './pages/SharePage.ts'
import { expect, PASSPHRASE, test } from './support/fixtures.ts'

/** A small phone held upright. */
const PHONE = { width: 360, height: 640 }

/** Words that do not break: what a long lab name, file name or address looks like to the layout. */
const UNBROKEN = 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3)
const long = (prefix: string, max = 200) => `${prefix}${UNBROKEN}`.slice(0, max)

const TITLES = {
  condition: long('Condition'),
  lab: long('Lab'),
  medication: long('Medication'),
  letter: long('Letter'),
  visit: long('Visit'),
}
// The grant form takes at most 80 characters for a name and a label.
const CLINICIAN_NAME = long('Dr', 80)
const QR_LABEL = long('Label', 80)

/** Records whose titles, values, people, places and files are each one long unbroken word. */
const LONG_RECORDS = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    { resource: { resourceType: 'Condition', subject: { display: 'Me' }, code: { text: TITLES.condition }, recorder: { display: long('Dr') }, onsetDateTime: '2020-01-01' } },
    {
      resource: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: TITLES.lab },
        valueString: long('Value'),
        performer: [{ display: long('Laboratory') }],
        effectiveDateTime: '2021-03-04',
      },
    },
    { resource: { resourceType: 'MedicationStatement', status: 'active', subject: { display: 'Me' }, medicationCodeableConcept: { text: TITLES.medication } } },
    {
      resource: {
        resourceType: 'DocumentReference',
        status: 'current',
        subject: { display: 'Me' },
        description: TITLES.letter,
        date: '2022-05-06T10:00:00Z',
        content: [{ attachment: { contentType: 'application/pdf', title: long('file', 120) + '.pdf', url: `https://example.org/${UNBROKEN}.pdf` } }],
      },
    },
    {
      resource: {
        resourceType: 'Encounter',
        status: 'finished',
        class: { code: 'AMB', display: 'ambulatory' },
        type: [{ text: TITLES.visit }],
        serviceProvider: { display: long('Clinic') },
        participant: [{ individual: { display: long('Nurse') } }],
        period: { start: '2023-07-08T09:00:00Z' },
      },
    },
  ],
}

/** Fails when the page is wider than the phone: the patient would have to scroll sideways to read it. */
async function expectNoSidewaysScroll(page: Page, screen: string) {
  const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY)
  expect(width, `${screen} is ${width} px wide on a ${PHONE.width} px screen`).toBeLessThanOrEqual(PHONE.width)
}

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })

test('every main screen fits a 360 px phone, whatever the titles: records, a record, the records to pick, the QR and its viewer, consents, a consent, My QR, account, settings, backup and restore', async ({
  page,
  browser,
  checkA11y,
}) => {
  test.setTimeout(180_000)
  await page.setViewportSize(PHONE)
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  await consent.wallet.open()
  await consent.wallet.restore(patient.phrase, PASSPHRASE)
  await consent.records.importFile({ name: `${long('records', 120)}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(LONG_RECORDS)) })
  await expect(page.getByRole('list', { name: 'Import summary' }).getByRole('listitem').first()).toHaveText('5 imported')
  await expectNoSidewaysScroll(page, 'the import summary')

  await consent.records.open()
  for (const title of Object.values(TITLES)) await expect(page.getByText(title, { exact: true })).toBeVisible()
  await expectNoSidewaysScroll(page, 'the records')
  await checkA11y('records with long titles at 360 px')

  for (const [kind, title] of Object.entries(TITLES)) {
    await page.getByRole('link', { name: new RegExp(`^${title}`) }).click()
    await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible()
    await expectNoSidewaysScroll(page, `a record (${kind})`)
    if (kind === 'lab') await checkA11y('a record with a long title at 360 px')
    await consent.records.open()
  }

  await consent.startGrant()
  await page.getByRole('radio', { name: 'Records I pick' }).check()
  await expect(page.getByRole('checkbox', { name: new RegExp(`^${TITLES.condition}`) })).toBeVisible()
  await expectNoSidewaysScroll(page, '"Records I pick" on the grant form')
  await consent.fill({ records: [TITLES.condition, TITLES.letter], grantee: 'qr', name: CLINICIAN_NAME, qr: { label: QR_LABEL } })
  await consent.review()
  await expectNoSidewaysScroll(page, 'the review of the consent')
  await consent.grantAndConfirm()
  const share = new SharePage(page)
  await share.expectReady()
  await expectNoSidewaysScroll(page, 'the consent QR code')

  // The clinician opens it on a phone too.
  const clinicianPhone = await browser.newContext({ viewport: PHONE })
  const viewer = await clinicianPhone.newPage()
  await viewer.goto(await share.linkText())
  await viewer.getByLabel('Your name and role').fill(long('Dr'))
  await viewer.getByRole('button', { name: 'Open records' }).click()
  await expect(viewer.getByRole('heading', { name: TITLES.letter })).toBeVisible({ timeout: 20_000 })
  await expectNoSidewaysScroll(viewer, "the clinician's view of the shared records")
  await clinicianPhone.close()

  await consent.open()
  await expect(consent.item(CLINICIAN_NAME)).toBeVisible()
  await expectNoSidewaysScroll(page, 'my consents')
  await consent.item(CLINICIAN_NAME).click()
  await expect(consent.status()).toHaveText('Active')
  await expectNoSidewaysScroll(page, 'a consent')

  await share.openFromNavigation()
  await expect(share.qr).toBeVisible({ timeout: 20_000 })
  await expectNoSidewaysScroll(page, 'My QR')

  await consent.wallet.openAccount()
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible()
  await expectNoSidewaysScroll(page, 'the account')

  await mainNav(page).getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible()
  await expectNoSidewaysScroll(page, 'the settings')

  await consent.records.openTools('Backup and storage')
  await expect(page.getByTestId('online-backup-status')).toHaveText(/^Last backup: .+ · 5 records$/, { timeout: 30_000 })
  await expectNoSidewaysScroll(page, 'backup and storage')

  // A new phone restores the wallet: "Restore your records" offers the online backup, then restores it.
  const phone = await browser.newContext({ viewport: PHONE })
  const fresh = new ConsentPage(await phone.newPage())
  await fresh.wallet.open()
  await fresh.wallet.restore(patient.phrase, PASSPHRASE, { onlineBackup: 'stay' })
  await expect(fresh.page.getByText(/^Backup found: made .+, 5 records, 1 consent/)).toBeVisible({ timeout: 20_000 })
  await expectNoSidewaysScroll(fresh.page, 'restore your records')
  await fresh.page.getByRole('button', { name: 'Restore this backup' }).click()
  await expect(fresh.page.getByText('Restored 5 records')).toBeVisible()
  await expectNoSidewaysScroll(fresh.page, 'restore your records, done')
  await phone.close()
})

test('on a phone the main navigation is a bar at the bottom: every destination visible, the current one marked, the content never under it', async ({
  page,
  unlockedWallet,
  checkA11y,
}) => {
  void unlockedWallet
  await page.setViewportSize(PHONE)
  const nav = mainNav(page)
  const destinations: [link: string, heading: string][] = [
    ['Records', 'Records'],
    ['Consents', 'My consents'],
    ['My QR', 'My consent QR code'],
    ['Account', 'Account'],
    ['Settings', 'Settings'],
  ]
  // All five at once, inside the screen, in the lower part of it, without scrolling.
  for (const [link] of destinations) await expect(nav.getByRole('link', { name: link, exact: true })).toBeInViewport({ ratio: 1 })
  const bar = await boxOf(nav)
  expect(bar.y + bar.height).toBeCloseTo(PHONE.height, 0)
  expect(bar.y).toBeGreaterThan(PHONE.height / 2)
  await checkA11y('the bottom navigation')

  for (const [link, heading] of destinations) {
    await nav.getByRole('link', { name: link, exact: true }).click()
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible()
    await expect(nav.getByRole('link', { name: link, exact: true })).toHaveAttribute('aria-current', 'page')
    await expect(nav.locator('[aria-current="page"]')).toHaveCount(1)
    // Scrolled to the end, the screen's content ends above the bar.
    const { contentEnd, barTop } = await page.evaluate(() => {
      window.scrollTo(0, document.scrollingElement?.scrollHeight ?? 0)
      const ends = [...document.querySelectorAll('main *')].map((e) => e.getBoundingClientRect()).filter((r) => r.height > 1).map((r) => r.bottom)
      return { contentEnd: Math.max(...ends), barTop: document.querySelector('nav[aria-label="Main"]')?.getBoundingClientRect().top ?? 0 }
    })
    expect(contentEnd, `the end of ${link} is under the bar`).toBeLessThanOrEqual(barTop)
  }

  // On a wide screen the same navigation is a row of tabs under the header, above the content.
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.evaluate(() => window.scrollTo(0, 0))
  await expect(nav.getByRole('link', { name: 'Settings', exact: true })).toBeInViewport({ ratio: 1 })
  expect((await boxOf(nav)).y + (await boxOf(nav)).height).toBeLessThanOrEqual((await boxOf(page.getByRole('main'))).y)
})

async function boxOf(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await locator.boundingBox()
  if (!box) throw new Error('the element is not on the screen')
  return box
}
