// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { cleanup, configure, fireEvent, render, screen } from '@testing-library/react'
import { createMemoryHistory } from '@tanstack/react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseRecoveryPhrase } from '../domain/wallet/mnemonic.ts'
import { encodeShlink } from '../domain/shl/index.ts'
import { newShareKey } from '../domain/shl/jwe.ts'
import { useDatabaseName } from '../storage/db.ts'
import { createKeyring, keyring } from '../features/wallet/keyring.ts'
import { storeNewWallet } from '../features/wallet/walletActions.ts'
import { App } from './App.tsx'

// The update and install prompts need the PWA plugin's virtual module, which exists only in a Vite build.
vi.mock('./pwa/index.ts', () => ({ InstallButton: () => null, PwaBanners: () => null }))

const phrase = parseRecoveryPhrase('test test test test test test test test test test test junk')
let n = 0
// Storing a wallet checks the passphrase (zxcvbn) and seals it with Argon2id at 64 MiB.
const STORES_A_WALLET = 30_000
// Each screen's code loads lazily, as in the app: on a busy machine that takes more than the default second.
configure({ asyncUtilTimeout: 10_000 })

function openAt(path: string) {
  const history = createMemoryHistory({ initialEntries: [path] })
  render(<App history={history} />)
  return history
}

/** A plain SMART Health Link (no CareKey extension), as another app's QR code would carry it. */
const plainLink = (label: string) =>
  encodeShlink({ url: 'https://share.example.org/shl/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM', key: newShareKey(), label })

beforeEach(async () => {
  // jsdom has no scrolling; the router restores scroll positions after each navigation.
  window.scrollTo = () => undefined
  await useDatabaseName(`routes-${++n}`)
})
afterEach(cleanup)

describe('route table', () => {
  it('shows the unlock screen to a locked patient at a wallet screen, and keeps the address', async () => {
    // Stored with its own keyring: the app's stays locked, as after a reload.
    await storeNewWallet(phrase, 'correct horse battery', createKeyring())
    const history = openAt('/consent')
    expect(await screen.findByLabelText('Passphrase')).toBeTruthy()
    expect(screen.queryByRole('heading', { name: 'My consents' })).toBeNull()
    expect(history.location.pathname).toBe('/consent')
  }, STORES_A_WALLET)

  it('welcomes a visitor without a wallet at any wallet address, and opens create at /create', async () => {
    openAt('/records/some-record')
    expect(await screen.findByRole('link', { name: 'Create a new wallet' })).toBeTruthy()
    cleanup()
    openAt('/create')
    expect(await screen.findByRole('heading', { name: 'Your recovery phrase' })).toBeTruthy()
  })

  it('says there is no CareKey screen at an unknown address once unlocked', async () => {
    const ring = createKeyring()
    await storeNewWallet(phrase, 'correct horse battery', ring)
    const keys = ring.get()
    if (!keys) throw new Error('the stored wallet did not unlock')
    keyring.set(keys)
    try {
      openAt('/no/such/screen')
      expect(await screen.findByText('There is no CareKey screen at this address.')).toBeTruthy()
    } finally {
      keyring.clear()
    }
  }, STORES_A_WALLET)

  it('takes a wallet restored from its phrase on to its online backup, and "Not now" to the records', async () => {
    // The share host cannot be reached: the screen says so and offers to try again.
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')))
    try {
      const history = openAt('/restore')
      fireEvent.change(await screen.findByLabelText('Recovery phrase'), { target: { value: 'test test test test test test test test test test test junk' } })
      fireEvent.click(screen.getByRole('button', { name: 'Continue' }))
      fireEvent.change(await screen.findByLabelText('New passphrase'), { target: { value: 'correct horse battery staple' } })
      fireEvent.change(screen.getByLabelText('Repeat the passphrase'), { target: { value: 'correct horse battery staple' } })
      fireEvent.click(screen.getByRole('button', { name: 'Restore wallet' }))
      expect(await screen.findByRole('heading', { name: 'Restore your records' }, { timeout: STORES_A_WALLET })).toBeTruthy()
      expect(history.location.pathname).toBe('/backup/restore')
      expect(await screen.findByText('The share host cannot be reached right now.')).toBeTruthy()
      expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy()
      fireEvent.click(screen.getByRole('button', { name: 'Not now' }))
      expect(await screen.findByRole('heading', { name: 'No records yet' })).toBeTruthy()
      expect(history.location.pathname).toBe('/records')
    } finally {
      keyring.clear()
      vi.unstubAllGlobals()
    }
  }, 2 * STORES_A_WALLET)

  it('opens the viewer with the link from the fragment, takes the link out of the address at once, and follows a new one', async () => {
    const first = plainLink('Shared by Alex')
    const history = openAt(`/view#${first}`)
    expect(await screen.findByRole('heading', { name: 'Shared by Alex' })).toBeTruthy()
    expect(history.location.href).toBe('/view')
    // The entry was replaced, not added to: there is nothing to go back to that holds the link.
    expect(history.length).toBe(1)

    history.push(`/view#${plainLink('Shared by Sam')}`)
    expect(await screen.findByRole('heading', { name: 'Shared by Sam' })).toBeTruthy()
    expect(history.location.href).toBe('/view')
    expect(history.length).toBe(2)
  })
})
