import { describe, expect, it } from 'vitest'
import { backupStatusOf, BACKUP_FAILURE_NOTICE_MS, hasChangesToBackUp, parseBackupSettings, reminderView, type BackupStatus } from './status.ts'
import { backupStatusLine } from './statusLine.ts'

const sha256 = `0x${'ab'.repeat(32)}` as const
const DAY = 86_400_000
const now = Date.UTC(2026, 11, 3, 14, 2)
const time = (ms: number) => new Date(ms).toISOString().slice(0, 16)

const status = (overrides: Partial<BackupStatus> = {}): BackupStatus => ({
  enabled: true,
  lastUpload: undefined,
  lastFileExportAt: undefined,
  changedAt: undefined,
  unsavedSince: undefined,
  failingSince: undefined,
  lastError: undefined,
  ...overrides,
})

describe('the stored backup settings', () => {
  it('read back what was written', () => {
    const stored = {
      enabled: false,
      lastUpload: { at: now, version: 4, size: 1200, records: 12, sha256 },
      lastFileExportAt: now - DAY,
      failingSince: now - 5,
      lastError: { message: 'The share host cannot be reached right now.', hint: 'Check the connection.', kind: 'transient' },
    }
    expect(parseBackupSettings(stored)).toEqual(stored)
  })

  it('drop a damaged field alone: turning automatic backup off survives damage elsewhere', () => {
    const parsed = parseBackupSettings({ enabled: false, lastUpload: { at: now, version: 0, size: 1, records: 1, sha256 }, lastError: { message: '', kind: 'x' }, extra: 1 })
    expect(parsed).toEqual({ enabled: false, lastUpload: undefined, lastFileExportAt: undefined, failingSince: undefined, lastError: undefined })
    expect(parseBackupSettings('not an object')).toEqual(parseBackupSettings(undefined))
    expect(parseBackupSettings({ lastUpload: { at: now, version: 1, size: 1, records: 1, sha256: '0x1234' } }).lastUpload).toBeUndefined()
  })

  it('make a status that is on by default only when a share host is configured, and never carries the SHA-256', () => {
    const changes = { revision: 2, changedAt: now, unsavedSince: now - 1 }
    const settings = parseBackupSettings({ lastUpload: { at: now, version: 1, size: 3, records: 2, sha256 } })
    expect(backupStatusOf(settings, changes, true)).toEqual(
      status({ enabled: true, lastUpload: { at: now, version: 1, size: 3, records: 2 }, changedAt: now, unsavedSince: now - 1 }),
    )
    expect(backupStatusOf(settings, changes, false).enabled).toBe(false)
    expect(backupStatusOf(parseBackupSettings({ enabled: true }), changes, false).enabled).toBe(true)
  })

  it('give the reminder the newest backup, online or file', () => {
    const upload = { at: now - DAY, version: 1, size: 3, records: 2 }
    expect(reminderView(status({ lastUpload: upload, lastFileExportAt: now, changedAt: now }))).toEqual({ changedAt: now, lastBackupAt: now, autoEnabled: true })
    expect(reminderView(status({ enabled: false, lastUpload: upload, failingSince: now, unsavedSince: now }))).toEqual({
      unsavedSince: now,
      lastBackupAt: now - DAY,
      autoEnabled: false,
      failingSince: now,
    })
    expect(reminderView(status())).toEqual({ autoEnabled: true })
  })

  it('count changes as left to back up when unsaved, or when nothing is known to be online', () => {
    expect(hasChangesToBackUp(status())).toBe(false)
    expect(hasChangesToBackUp(status({ unsavedSince: now }))).toBe(true)
    expect(hasChangesToBackUp(status({ changedAt: now }))).toBe(true)
    expect(hasChangesToBackUp(status({ changedAt: now, lastUpload: { at: now, version: 1, size: 1, records: 1 } }))).toBe(false)
  })
})

describe('the status line', () => {
  const line = (s: BackupStatus, context: Partial<Parameters<typeof backupStatusLine>[1]> = {}) =>
    backupStatusLine(s, { activity: 'idle', online: true, now, time, ...context })
  const uploaded = { lastUpload: { at: now - 60_000, version: 3, size: 10, records: 12 } }

  it('says when the last backup was made and of how many records, or that there is none yet', () => {
    expect(line(status(uploaded))).toEqual({ tone: 'success', text: 'Last backup: 2026-12-03T14:01 · 12 records' })
    expect(line(status({ lastUpload: { ...uploaded.lastUpload, records: 1 } })).text).toBe('Last backup: 2026-12-03T14:01 · 1 record')
    expect(line(status())).toEqual({ tone: 'neutral', text: 'No online backup yet' })
    expect(line(status(uploaded), { activity: 'uploading' }).text).toBe('Backing up…')
  })

  it('waits for a connection with changes to back up while offline', () => {
    expect(line(status({ ...uploaded, unsavedSince: now }), { online: false }).text).toBe('Waiting for a connection')
    expect(line(status(uploaded), { online: false }).text).toBe('Last backup: 2026-12-03T14:01 · 12 records')
  })

  it('keeps a failure quiet ("will retry") until it has lasted a day, then says what is wrong and what to do', () => {
    const failing = (since: number) =>
      status({ ...uploaded, unsavedSince: since, failingSince: since, lastError: { message: 'The share host cannot be reached right now.', hint: 'Check the connection.', kind: 'transient' } })
    const quiet = line(failing(now - BACKUP_FAILURE_NOTICE_MS + 1))
    expect(quiet).toMatchObject({ tone: 'neutral', text: 'Last backup: 2026-12-03T14:01 · 12 records', detail: expect.stringContaining('will retry') as unknown })
    const told = line(failing(now - BACKUP_FAILURE_NOTICE_MS))
    expect(told.tone).toBe('error')
    expect(told.text).toBe('Online backup has not worked since 2026-12-02T14:02. The share host cannot be reached right now.')
    expect(told.detail).toContain('Check the connection.')
  })

  it('tells at once of a backup from another device, with the way to restore it', () => {
    const other = line(status({ unsavedSince: now, failingSince: now, lastError: { message: 'There is already an online backup…', hint: 'Restore it first…', kind: 'other-device' } }))
    expect(other).toMatchObject({ tone: 'warning', offerRestore: true, detail: 'Restore it first…' })
  })

  it('says when automatic backup is off', () => {
    expect(line(status({ ...uploaded, enabled: false, unsavedSince: now }))).toMatchObject({ text: 'Automatic backup is off.', detail: 'Last backup: 2026-12-03T14:01 · 12 records.' })
  })
})
