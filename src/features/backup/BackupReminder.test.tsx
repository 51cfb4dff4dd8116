// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { closeCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { noteLocalChange } from '../../storage/localChanges.ts'
import { createFakeBackupHost } from '../../test/fakeBackupHost.ts'
import { renderInRouter } from '../../test/renderInRouter.tsx'
import { uploadOnlineBackup } from './backupActions.ts'
import { BackupReminder } from './BackupReminder.tsx'
import { backupKeys } from './queries.ts'

const DAY = 24 * 60 * 60 * 1000

// jsdom's own Uint8Array is not the one Node's WebCrypto and fake IndexedDB make (see wipeOnLock.test.tsx).
const jsdomUint8Array = globalThis.Uint8Array
beforeAll(() => {
  globalThis.Uint8Array = Object.getPrototypeOf(Buffer) as Uint8ArrayConstructor
})
afterAll(() => {
  globalThis.Uint8Array = jsdomUint8Array
})

let n = 0
beforeEach(async () => {
  await useDatabaseName(`backup-reminder-${++n}`)
  window.scrollTo = () => undefined
})
afterEach(async () => {
  cleanup()
  await closeCareKeyDb()
})

/** The reminder above the unlocked wallet, reading the backup status stored on this device; resolves once it was read. */
async function showReminder(): Promise<void> {
  const queryClient = new QueryClient()
  await renderInRouter(
    <QueryClientProvider client={queryClient}>
      <BackupReminder />
    </QueryClientProvider>,
    ['/records/backup'],
  )
  await waitFor(() => expect(queryClient.getQueryState(backupKeys.status())?.status).toBe('success'))
}

/** An upload to a share host as the online backup makes it: the status then holds it. */
async function backUpOnline(): Promise<void> {
  const host = createFakeBackupHost()
  const signer = privateKeyToAccount(`0x${'44'.repeat(32)}`)
  await uploadOnlineBackup({
    host: { hostUrl: host.url, fetch: host.fetch },
    signer: async () => signer,
    buildBackup: async () => ({ bytes: new Uint8Array([0xca, 0xfe]), records: 2, createdAt: Date.now() }),
    readSummary: () => Promise.reject(new Error('not used here')),
    restore: () => Promise.reject(new Error('not used here')),
  })
}

const reminder = () => screen.getByTestId('backup-reminder')

describe('the backup reminder, on the status stored on this device', () => {
  it('asks to back up changes eight days old that are in no backup, and hides when dismissed', async () => {
    await noteLocalChange(Date.now() - 8 * DAY)
    await showReminder()
    expect(reminder().textContent).toMatch(/^Back up your records Your records are not in any backup yet\./)
    expect(screen.getByRole('link', { name: 'Back up now' }).getAttribute('href')).toBe('/records/backup')

    await userEvent.setup().click(screen.getByRole('button', { name: 'Dismiss reminder' }))
    expect(reminder().textContent).toBe('')
    expect(screen.queryByRole('link', { name: 'Back up now' })).toBeNull()
  })

  it('says nothing when a recent online backup holds those changes', async () => {
    await noteLocalChange(Date.now() - 8 * DAY)
    await backUpOnline()
    await showReminder()
    expect(reminder().textContent).toBe('')
    expect(screen.queryByRole('link', { name: 'Back up now' })).toBeNull()
  })
})
