// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { backupIdOf, backupSignerKey } from '../../domain/backup/hostBackup.ts'
import { deriveWalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { appConfig } from '../../platform/config.ts'
import { closeCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { createFakeBackupHost, type FakeBackupHost } from '../../test/fakeBackupHost.ts'
import { keyring } from '../wallet/index.ts'
import { OnlineBackupCard } from './OnlineBackupCard.tsx'
import { readBackupStatus } from './status.ts'

const wallet = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const id = backupIdOf((await backupSignerKey(wallet.root)).address)

// jsdom's own Uint8Array is not the one Node's WebCrypto and fake IndexedDB make (see wipeOnLock.test.tsx).
const jsdomUint8Array = globalThis.Uint8Array
beforeAll(() => {
  globalThis.Uint8Array = Object.getPrototypeOf(Buffer) as Uint8ArrayConstructor
})
afterAll(() => {
  globalThis.Uint8Array = jsdomUint8Array
})

let host: FakeBackupHost
let n = 0
beforeEach(async () => {
  await useDatabaseName(`online-backup-card-${++n}`)
  // This build's share host, answered in process.
  host = createFakeBackupHost({ url: appConfig.shareHostUrl })
  vi.stubGlobal('fetch', host.fetch)
  keyring.set(wallet)
})
afterEach(async () => {
  cleanup()
  vi.unstubAllGlobals()
  keyring.clear()
  await closeCareKeyDb()
})

const status = () => screen.getByTestId('online-backup-status')

describe('the online backup card', () => {
  it('backs up on request, turns automatic backup off, and deletes the online copies after a confirmation', async () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <OnlineBackupCard />
      </QueryClientProvider>,
    )
    expect(await screen.findByText('No online backup yet')).toBeTruthy()
    const automatically = screen.getByRole('checkbox', { name: 'Back up automatically' })
    expect((automatically as HTMLInputElement).checked).toBe(true)

    fireEvent.click(screen.getByRole('button', { name: 'Back up now' }))
    await waitFor(() => expect(status().textContent).toMatch(/^Last backup: .+ · 0 records$/))
    expect(host.versions(id)).toHaveLength(1)

    fireEvent.click(automatically)
    expect(await screen.findByText('Automatic backup is off.')).toBeTruthy()
    expect((await readBackupStatus(true)).enabled).toBe(false)

    const remove = screen.getByRole('button', { name: 'Delete my online backups' })
    fireEvent.click(remove)
    const question = screen.getByRole('group')
    expect(question.textContent).toContain('The records on this device stay as they are.')
    await waitFor(() => expect(document.activeElement?.textContent).toContain('Delete every copy of your backup'))
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Delete my online backups' })))
    expect(host.versions(id)).toHaveLength(1)

    fireEvent.click(screen.getByRole('button', { name: 'Delete my online backups' }))
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete the online copies' }))
    expect(await screen.findByText(/^Deleted 1 online copy of your backup\./)).toBeTruthy()
    expect(host.versions(id)).toEqual([])
  })

  it('says what failed at once when Back up now fails', async () => {
    host.unreachable = true
    render(
      <QueryClientProvider client={new QueryClient()}>
        <OnlineBackupCard />
      </QueryClientProvider>,
    )
    await screen.findByText('No online backup yet')
    fireEvent.click(screen.getByRole('button', { name: 'Back up now' }))
    expect((await screen.findByRole('alert')).textContent).toContain('The share host cannot be reached right now.')
  })
})
