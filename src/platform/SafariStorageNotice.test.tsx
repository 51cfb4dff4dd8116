// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { renderInRouter } from '../test/renderInRouter.tsx'
import type { BrowserEnvironment } from './safariStorage.ts'
import { SafariStorageNotice } from './SafariStorageNotice.tsx'

const iPhoneSafari: BrowserEnvironment = {
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
  maxTouchPoints: 5,
  standalone: false,
  displayModeStandalone: false,
}
const macSafari: BrowserEnvironment = {
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  maxTouchPoints: 0,
  displayModeStandalone: false,
}
const notice = () => screen.getByRole('region', { name: 'Safari may delete your records' })

beforeEach(() => {
  window.scrollTo = () => undefined
})
afterEach(cleanup)

describe('the Safari seven-day notice', () => {
  it('explains the rule and the Home Screen on an iPhone, and leads to the backup', async () => {
    const { history } = await renderInRouter(<SafariStorageNotice screen="app" env={iPhoneSafari} />, ['/records/backup'])
    const text = notice().textContent
    expect(text).toMatch(/after seven days of using Safari without opening CareKey/)
    expect(text).toMatch(/CareKey added to your Home Screen is not part of Safari, and keeps its data\./)
    const steps = within(notice()).getAllByRole('listitem').map((li) => li.textContent)
    expect(steps).toEqual([
      'Tap the Share button (a square with an arrow pointing up).',
      'Choose Add to Home Screen (scroll down the list if you do not see it).',
      'From then on, open CareKey from its icon on your Home Screen.',
    ])
    expect(text).toMatch(/CareKey on your Home Screen keeps its own data, apart from Safari’s\./)
    expect(text).toMatch(/If it opens without your wallet, restore it there with your recovery phrase and your backup\./)
    await userEvent.setup().click(within(notice()).getByRole('link', { name: 'Back up your records' }))
    expect(history.location.pathname).toBe('/records/backup')
  })

  it('explains the Dock on a Mac', async () => {
    await renderInRouter(<SafariStorageNotice screen="app" env={macSafari} />)
    const steps = within(notice()).getAllByRole('listitem').map((li) => li.textContent)
    expect(steps).toEqual(['In Safari’s menu bar, choose File, then Add to Dock (macOS Sonoma or later).', 'From then on, open CareKey from the Dock.'])
    expect(notice().textContent).toMatch(/CareKey added to your Dock is not part of Safari/)
    expect(notice().textContent).toMatch(/CareKey in your Dock keeps its own data/)
  })

  it('says to add CareKey before creating the wallet on the welcome screen, with no link into a wallet that does not exist', async () => {
    await renderInRouter(<SafariStorageNotice screen="welcome" env={iPhoneSafari} />)
    expect(notice().textContent).toMatch(/Add it first, then create or restore your wallet there\./)
    expect(within(notice()).queryByRole('link')).toBeNull()
  })

  it('shows nothing in other browsers, nor in the Home Screen app', async () => {
    const chrome = { ...iPhoneSafari, userAgent: iPhoneSafari.userAgent.replace('Version/17.4.1', 'CriOS/123.0.6312.52') }
    const { container } = await renderInRouter(
      <>
        <SafariStorageNotice screen="backup" env={chrome} />
        <SafariStorageNotice screen="backup" env={{ ...iPhoneSafari, standalone: true, displayModeStandalone: true }} />
      </>,
    )
    expect(container.textContent).toBe('')
  })

  // Last: hiding lasts as long as the page, across tests of this file too.
  it('hides for now when asked, except on the Backup screen, which always shows it', async () => {
    await renderInRouter(<SafariStorageNotice screen="unlock" env={iPhoneSafari} />)
    expect(notice().textContent).toMatch(/After you unlock, back up your records/)
    await userEvent.setup().click(screen.getByRole('button', { name: 'Hide for now' }))
    expect(screen.queryByRole('region', { name: 'Safari may delete your records' })).toBeNull()
    cleanup()

    await renderInRouter(
      <>
        <SafariStorageNotice screen="app" env={iPhoneSafari} />
        <SafariStorageNotice screen="backup" env={iPhoneSafari} />
      </>,
    )
    expect(screen.getAllByRole('region', { name: 'Safari may delete your records' })).toHaveLength(1)
    expect(notice().textContent).toMatch(/Back up your records below/)
    expect(within(notice()).queryByRole('button', { name: 'Hide for now' })).toBeNull()
  })
})
