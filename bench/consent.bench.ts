import { generateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english'
import type { Page } from '@playwright/test'
import { createPublicClient, http } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { timingRow, type BenchSuite } from './lib/context.ts'
import { freshBrowser } from './lib/phone.ts'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'

const PASSPHRASE = 'correct horse battery staple'
const CLINICIAN = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const RUNS = 5
const RECORDS = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    { resource: { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut allergy' } } },
    { resource: { resourceType: 'MedicationStatement', status: 'active', subject: { display: 'Me' }, medicationCodeableConcept: { text: 'Salbutamol inhaler' } } },
  ],
}

/**
 * The patient's consent journey on the local stack (anvil with automine, the share host, the
 * production build in headless Chromium), timed from the press of a button to what the patient
 * then sees, by one fresh patient with no funds at all, so every grant and revoke goes through
 * the share host's sponsor relay. Each run restores the patient's wallet in a fresh Chromium,
 * then grants, revokes and shares once:
 * - consent.grant_relayed_ms: "Grant consent" → "Recorded on the network" (signed
 *   by a fresh per-grant key, sent and confirmed by the sponsor);
 * - consent.qr_ready_ms: "Grant consent and make QR code" → the QR code on screen (the grant,
 *   its receipt, the signed upload of the encrypted Bundle, the link);
 * - consent.revoke_confirmed_ms: "Yes, revoke consent" → the status reads Revoked.
 */
export const consentSuite: BenchSuite = {
  name: 'consent',
  async run(ctx) {
    const backend = await ctx.backend()
    const url = await ctx.appUrl()
    const phrase = generateMnemonic(wordlist)
    const { address } = mnemonicToAccount(phrase)
    const chain = createPublicClient({ chain: foundry, transport: http(backend.chain.rpcUrl) })

    const granted: number[] = []
    const revoked: number[] = []
    const shared: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const browser = await freshBrowser()
      try {
        const page = await (await browser.newContext({ baseURL: url })).newPage()
        await setUpPatient(page, phrase)
        await fillGrant(page, { name: `Dr. Bench ${run}`, qr: false })
        granted.push(await timed(page, 'Grant consent', () => page.getByTestId('grant-progress').and(page.locator('[data-phase="confirmed"]')).waitFor()))
        await page.getByRole('button', { name: 'Revoke consent', exact: true }).click()
        revoked.push(await timed(page, 'Yes, revoke consent', () => page.getByTestId('consent-status').and(page.locator('[data-status="revoked"]')).first().waitFor()))
        await fillGrant(page, { name: `Dr. Share ${run}`, qr: true })
        shared.push(await timed(page, 'Grant consent and make QR code', () => page.getByRole('button', { name: 'Show the QR code full screen' }).waitFor({ timeout: 30_000 })))
      } finally {
        await browser.close()
      }
    }
    // The sponsor paid for everything: the patient's own account never sent a transaction.
    if ((await chain.getBalance({ address })) !== 0n || (await chain.getTransactionCount({ address })) !== 0) {
      throw new Error('the patient paid for a grant: the sponsor relay was not used')
    }
    return [
      timingRow('consent.grant_relayed_ms', granted, 'ms, fresh browser'),
      timingRow('consent.qr_ready_ms', shared, 'ms, fresh browser'),
      timingRow('consent.revoke_confirmed_ms', revoked, 'ms, fresh browser'),
    ]
  },
}

async function setUpPatient(page: Page, phrase: string) {
  await page.goto('/')
  await page.getByRole('link', { name: 'Restore from a recovery phrase' }).click()
  await page.getByRole('textbox', { name: 'Recovery phrase' }).fill(phrase)
  await page.getByRole('button', { name: 'Continue' }).click()
  await new WalletPage(page).choosePassphrase(PASSPHRASE, 'Restore wallet')
  // Restored again in each run's browser: the online backup of an earlier run is not taken.
  const notNow = page.getByRole('button', { name: /^(Not now|Go to my records)$/ })
  const records = page.getByRole('navigation', { name: 'Records tools' })
  await notNow.or(records).first().waitFor({ timeout: 30_000 })
  if (await notNow.isVisible()) await notNow.click()
  await page.getByRole('navigation', { name: 'Records tools' }).getByRole('link', { name: 'Import a FHIR file' }).click()
  await page.getByLabel('FHIR file').setInputFiles({ name: 'records.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(RECORDS)) })
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await page.getByRole('list', { name: 'Import summary' }).waitFor()
}

async function fillGrant(page: Page, { name, qr }: { name: string; qr: boolean }) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consents' }).click()
  await page.getByRole('link', { name: 'Grant a consent' }).click()
  // The grant form's steps: what, who, why (treatment) and how long (24 hours), then the review.
  const next = () => page.getByRole('button', { name: 'Next', exact: true }).click()
  await page.getByRole('radio', { name: /^Some categories/ }).check()
  await page.getByRole('group', { name: 'Categories' }).getByRole('checkbox', { name: /^Allergies/ }).check()
  await next()
  await page.getByRole('radio', { name: /^A clinician's address/ }).check()
  await page.getByLabel('Their account address').fill(CLINICIAN)
  await page.getByLabel('Their name (optional)').fill(name)
  if (qr) await page.getByRole('checkbox', { name: /^Also make a consent QR code/ }).check()
  await next()
  await next()
  await page.getByRole('button', { name: 'Review', exact: true }).click()
  await page.getByRole('heading', { name: /Review your consent$/ }).waitFor()
}

/** Milliseconds from clicking the button to `done` resolving. */
async function timed(page: Page, button: string, done: () => Promise<void>): Promise<number> {
  const target = page.getByRole('button', { name: button, exact: true })
  await target.waitFor()
  const start = performance.now()
  await target.click()
  await done()
  return performance.now() - start
}
