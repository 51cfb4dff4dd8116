import { expect, type Locator, type Page } from '@playwright/test'
import type { Address, Hex } from 'viem'
import { RecordsPage } from './RecordsPage.ts'
import { WalletPage } from '../../scripts/lib/pages/WalletPage.ts'

export const PASSPHRASE = 'correct horse battery staple'

/** A small FHIR R4 patient record: two allergies, two medications, a condition and a lab result. */
export const PATIENT_RECORDS = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    { resource: { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut allergy' }, recordedDate: '2019-04-02' } },
    { resource: { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Penicillin allergy' }, recordedDate: '2015-09-12' } },
    { resource: { resourceType: 'MedicationStatement', status: 'active', subject: { display: 'Me' }, medicationCodeableConcept: { text: 'Salbutamol inhaler' } } },
    { resource: { resourceType: 'MedicationStatement', status: 'active', subject: { display: 'Me' }, medicationCodeableConcept: { text: 'Cetirizine 10 mg' } } },
    { resource: { resourceType: 'Condition', subject: { display: 'Me' }, code: { text: 'Asthma' } } },
    { resource: { resourceType: 'Observation', status: 'final', code: { text: 'HbA1c' }, valueQuantity: { value: 5.6, unit: '%' } } },
  ],
}

export type GrantChoices = {
  categories?: string[]
  records?: string[]
  /** A clinician's address, or 'qr' for "whoever I show the QR code to". */
  grantee: Address | 'qr'
  name?: string
  purpose?: RegExp
  duration?: '1 hour' | '24 hours' | '7 days' | '30 days' | { endsOn: string }
  qr?: { passcode?: string; label?: string }
}

/** What a patient does with the consent screens, as steps a test can reuse. */
export class ConsentPage {
  readonly wallet: WalletPage
  readonly records: RecordsPage

  constructor(readonly page: Page) {
    this.wallet = new WalletPage(page)
    this.records = new RecordsPage(page)
  }

  /** Restores a wallet from a phrase and imports a few records. */
  async setUpPatient(phrase: string) {
    await this.wallet.open()
    await this.wallet.restore(phrase, PASSPHRASE)
    await expect(this.page.getByRole('button', { name: 'Lock' })).toBeVisible()
    await this.records.importFile({ name: 'records.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(PATIENT_RECORDS)) })
    await expect(this.page.getByRole('list', { name: 'Import summary' }).getByRole('listitem').first()).toHaveText('6 imported')
  }

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consents' }).click()
    await expect(this.page.getByRole('heading', { name: 'My consents', level: 1 })).toBeVisible()
  }

  async startGrant() {
    await this.open()
    await this.page.getByRole('link', { name: 'Grant a consent' }).click()
    await expect(this.page.getByRole('heading', { name: 'Grant a consent', level: 1 })).toBeVisible()
  }

  /** The heading of the grant screen's step (focused when the step opens): 'Step 2 of 5: Who may see it'. */
  step(title: string): Locator {
    return this.page.getByRole('heading', { level: 2, name: new RegExp(`^Step \\d of 5: ${title}$`) })
  }

  /** Presses Next and waits for the step `title`. */
  async next(title: string) {
    await this.page.getByRole('button', { name: 'Next', exact: true }).click()
    await expect(this.step(title)).toBeFocused()
  }

  /**
   * Goes through the grant form's steps from the first (what, who, why, how long), choosing
   * only what `choices` asks for and leaving the defaults (all my records, whoever I show the
   * QR code to, treatment, 24 hours) otherwise; stops on the last step before the review.
   */
  async fill(choices: GrantChoices) {
    const { page } = this
    await expect(this.step('What to share')).toBeVisible()
    if (choices.records) {
      await page.getByRole('radio', { name: /^Records I pick/ }).check()
      for (const title of choices.records) await page.getByRole('checkbox', { name: new RegExp(`^${title}`) }).check()
    } else if (choices.categories) {
      await page.getByRole('radio', { name: /^Some categories/ }).check()
      for (const category of choices.categories) {
        await page.getByRole('group', { name: 'Categories' }).getByRole('checkbox', { name: new RegExp(`^${category}`) }).check()
      }
    }

    await this.next('Who may see it')
    if (choices.grantee === 'qr') {
      await page.getByRole('radio', { name: /^Whoever I show the QR code to/ }).check()
    } else {
      await page.getByRole('radio', { name: /^A clinician's address/ }).check()
      await page.getByLabel('Their account address').fill(choices.grantee)
    }
    if (choices.name) await page.getByLabel('Their name (optional)').fill(choices.name)
    if (choices.qr) {
      if (choices.grantee !== 'qr') await page.getByRole('checkbox', { name: /^Also make a consent QR code/ }).check()
      if (choices.qr.passcode) await page.getByLabel('Passcode (optional)').fill(choices.qr.passcode)
      if (choices.qr.label) await page.getByLabel('Label').fill(choices.qr.label)
    }

    await this.next('Why')
    const purpose = page.getByRole('radio', { name: choices.purpose ?? /^Treatment/ })
    // The four common purposes are on top; the others behind "More purposes".
    if (!(await purpose.isVisible())) await page.getByText('More purposes', { exact: true }).click()
    await purpose.check()

    await this.next('For how long')
    const duration = choices.duration ?? '24 hours'
    if (typeof duration === 'string') {
      await page.getByRole('radio', { name: duration, exact: true }).check()
    } else {
      await page.getByRole('radio', { name: 'Until a date I choose' }).check()
      await page.getByLabel('Ends on').fill(duration.endsOn)
    }
  }

  /** From the last step, to the review (the records are encrypted for a QR code meanwhile). */
  async review() {
    await this.page.getByRole('button', { name: 'Review', exact: true }).click()
    await expect(this.step('Review your consent')).toBeFocused({ timeout: 20_000 })
  }

  /** The button that signs and sends the grant (its name depends on whether a QR code is made). */
  get grantButton(): Locator {
    return this.page.getByRole('button', { name: /^Grant consent/ })
  }

  get progress(): Locator {
    return this.page.getByTestId('grant-progress')
  }

  /**
   * Presses Grant and waits for the confirmation; its transaction hash and block are there,
   * under Technical details, not on the screen itself.
   */
  async grantAndConfirm() {
    await this.grantButton.click()
    await expect(this.progress).toHaveAttribute('data-phase', 'confirmed', { timeout: 20_000 })
    await expect(this.progress.getByRole('status')).toHaveText('Recorded on the network.')
    await expect(this.progress.getByTestId('transaction-hash')).toHaveText(/^0x[0-9a-f]{64}$/)
    await expect(this.progress.getByTestId('grant-block')).toHaveText(/^\d+$/)
    await expect(this.progress.getByTestId('transaction-hash')).toBeHidden()
  }

  /** A consent in My consents, by the recipient's name. */
  item(name: string): Locator {
    return this.page.getByRole('list', { name: 'Consents on this device' }).getByTestId('consent-item').filter({ hasText: name })
  }

  status(scope: Locator | Page = this.page): Locator {
    return scope.getByTestId('consent-status').first()
  }

  /** The fresh per-grant address the review screen says becomes public (the grant's patient), from its technical details. */
  async grantAddressOnReview(): Promise<Address> {
    const text = ((await this.page.getByTestId('review-grant-address').textContent()) ?? '').trim()
    if (!/^0x[0-9a-fA-F]{40}$/.test(text)) throw new Error(`no fresh address on the review screen: ${text}`)
    return text as Address
  }

  /**
   * The terms of the consent open on its detail screen, from its FHIR Consent and fingerprint
   * (under Technical details):
   * `patient` is the granting address (the grant's per-grant address, from the Consent's
   * CAIP-10 patient identifier).
   */
  async termsOnScreen(): Promise<{ patient: Address; commitment: Hex; validFrom: bigint; validUntil: bigint }> {
    // Both under Technical details, read without opening it.
    const commitment = (await this.page.getByTestId('consent-commitment').textContent())?.trim() as Hex
    const json = JSON.parse((await this.page.getByLabel('FHIR Consent resource as JSON').textContent()) ?? '{}') as {
      patient: { identifier: { value: string } }
      provision: { period: { start: string; end: string } }
    }
    const patient = /^did:pkh:eip155:\d+:(0x[0-9a-fA-F]{40})$/.exec(json.patient.identifier.value)?.[1]
    if (!patient) throw new Error(`the Consent names no granting account: ${json.patient.identifier.value}`)
    const seconds = (iso: string) => BigInt(Date.parse(iso) / 1000)
    return { patient: patient as Address, commitment, validFrom: seconds(json.provision.period.start), validUntil: seconds(json.provision.period.end) }
  }

  /** Revokes the consent open on its detail screen, through its one confirmation. */
  async revoke(label = 'Revoke consent') {
    const { page } = this
    await page.getByRole('button', { name: label, exact: true }).click()
    await expect(page.getByText('It cannot recall what was already viewed or copied.')).toBeVisible()
    await page.getByRole('button', { name: `Yes, ${label.toLowerCase()}` }).click()
  }
}
