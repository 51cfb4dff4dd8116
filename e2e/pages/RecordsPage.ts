import { readFile } from 'node:fs/promises'
import { expect, type Locator, type Page } from '@playwright/test'

type FileInput = { name: string; mimeType: string; buffer: Buffer }

/** What a patient does with the records screens, as steps a test can reuse. */
export class RecordsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Records' }).click()
    await expect(this.page.getByRole('heading', { name: 'Records', exact: true })).toBeVisible()
  }

  /** The card of who the records are about (the patient's own record), above the timeline. */
  get aboutYou(): Locator {
    return this.page.getByRole('region', { name: 'About you' })
  }

  get count() {
    return this.page.getByTestId('records-count')
  }

  async loadSampleData() {
    await this.page.getByRole('button', { name: 'Load sample data' }).click()
    await expect(this.count).toHaveText(/^Showing 50 of \d+ records\.$/, { timeout: 30_000 })
  }

  async filter(category: string) {
    await this.page.getByRole('group', { name: 'Show category' }).getByRole('button', { name: new RegExp(`^${category} \\d+$`) }).click()
  }

  async search(text: string) {
    await this.page.getByRole('searchbox', { name: 'Search records' }).fill(text)
  }

  /** The records listed now, one list item each (a link to the record). */
  get listedRecords(): Locator {
    return this.page.getByRole('main').getByRole('listitem')
  }

  /** The titles of the records listed now (each row shows its title in bold). */
  async listedTitles(): Promise<string[]> {
    return this.listedRecords.getByRole('strong').allTextContents()
  }

  async addRecord(kind: string) {
    await this.open()
    await this.page.getByRole('link', { name: 'Add record' }).click()
    await this.page.getByRole('link', { name: new RegExp(`^${kind}`) }).click()
  }

  async openTools(name: 'Import a FHIR file' | 'Backup and storage') {
    await this.open()
    await this.page.getByRole('navigation', { name: 'Records tools' }).getByRole('link', { name }).click()
  }

  async importFile(file: FileInput) {
    await this.openTools('Import a FHIR file')
    await this.page.getByLabel('FHIR file').setInputFiles(file)
    await this.page.getByRole('button', { name: 'Import', exact: true }).click()
  }

  /** Clicks a button that saves a file and returns the file's name and bytes. */
  async download(button: string): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByRole('button', { name: button }).click()])
    const path = await download.path()
    return { name: download.suggestedFilename(), bytes: await readFile(path) }
  }

  async exportBackup() {
    await this.openTools('Backup and storage')
    const file = await this.download('Export backup')
    await expect(this.page.getByRole('status').filter({ hasText: 'Backup saved as' })).toBeVisible()
    return file
  }

  /** Every record as the FHIR export gives it (the resources only). */
  async exportedResources(): Promise<unknown[]> {
    await this.openTools('Backup and storage')
    const { bytes } = await this.download('Download FHIR file (not encrypted)')
    const bundle = JSON.parse(bytes.toString('utf8')) as { entry?: { resource: unknown }[] }
    return (bundle.entry ?? []).map((e) => e.resource)
  }

  async restoreBackup(file: FileInput) {
    await this.openTools('Backup and storage')
    await this.page.getByLabel('Backup file').setInputFiles(file)
    await this.page.getByRole('button', { name: 'Restore backup' }).click()
  }
}
