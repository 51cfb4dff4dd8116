import { isCareKeyError } from '../../domain/errors.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { onLocalChange } from '../../storage/localChanges.ts'
import { isPassingUploadFailure, uploadOnlineBackup, type BackupContext, type UploadResult } from './backupActions.ts'
import { AUTO_BACKUP_DEBOUNCE_MS, BACKUP_RETRY_FIRST_MS, BACKUP_RETRY_MAX_MS, hasChangesToBackUp, readBackupStatus, type BackupStatus } from './status.ts'

/**
 * What the automatic backup is doing:
 * - `idle`: nothing to do, or off;
 * - `scheduled`: a change was made; the upload starts once changes pause (debounce);
 * - `waiting-for-connection`: changes wait for the browser to be online;
 * - `uploading`: one upload under way;
 * - `retrying`: the last upload failed in a way that passes by itself; the next try is scheduled.
 */
export type AutoBackupActivity = 'idle' | 'scheduled' | 'waiting-for-connection' | 'uploading' | 'retrying'

/** Whether the browser has a connection, and news of one coming back. */
export type NetworkStatus = {
  isOnline: () => boolean
  /** Calls `listener` when the connection comes back; returns the function that stops it. */
  onOnline: (listener: () => void) => () => void
}

/** The browser's own: navigator.onLine and the window's 'online' event. */
export const browserNetwork: NetworkStatus = {
  isOnline: () => navigator.onLine,
  onOnline: (listener) => {
    window.addEventListener('online', listener)
    return () => window.removeEventListener('online', listener)
  },
}

export type AutoBackupOptions = {
  context: BackupContext
  /** Whether automatic backup is on when the patient never chose (a share host is configured). */
  enabledByDefault: boolean
  network?: NetworkStatus
  /** Wait after a change before uploading (AUTO_BACKUP_DEBOUNCE_MS). */
  debounceMs?: number
  /** How long to wait before try number `failures + 1` after `failures` failures in a row. */
  retryDelayMs?: (failures: number) => number
  /** Told whenever the activity or the stored status may have changed (to refresh the screens). */
  onUpdate?: () => void
}

export type AutoBackup = {
  activity: () => AutoBackupActivity
  /** Calls `listener` when the activity changes; returns the function that stops it. */
  subscribe: (listener: () => void) => () => void
  /** Uploads now (after an upload under way), whatever the switch says; replaces a backup this device never restored. */
  backUpNow: () => Promise<UploadResult>
  /** Looks again at the settings (the switch changed) and at what is left to back up. */
  refresh: () => void
  /** Resolves once no upload is under way. */
  settled: () => Promise<void>
  /** Stops: timers, listeners, and the request under way (its failure is not recorded). */
  stop: () => void
}

/**
 * Doubles from BACKUP_RETRY_FIRST_MS after each failure in a row, up to BACKUP_RETRY_MAX_MS.
 *
 * @example
 * backoffDelayMs(1) // 30_000
 * backoffDelayMs(3) // 120_000
 */
export function backoffDelayMs(failures: number): number {
  return Math.min(BACKUP_RETRY_MAX_MS, BACKUP_RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1))
}

/**
 * Keeps the online backup up to date while the wallet is unlocked: after a local change it waits
 * for changes to pause (debounce), then uploads when the browser is online (offline, it waits for
 * the 'online' event). A failure that passes by itself (no connection, a timeout, a busy host,
 * other devices uploading at the same moment) is retried with backoff; a refusal waits for the
 * next change. At the start (an unlock) it uploads when there are changes not yet backed up. One
 * upload at a time; a change made during an upload is uploaded after it. It holds no plaintext
 * and logs nothing.
 *
 * @example
 * const auto = createAutoBackup({ context, enabledByDefault: true })
 * // at the lock:
 * auto.stop()
 */
export function createAutoBackup(options: AutoBackupOptions): AutoBackup {
  const network = options.network ?? browserNetwork
  const debounceMs = options.debounceMs ?? AUTO_BACKUP_DEBOUNCE_MS
  const retryDelayMs = options.retryDelayMs ?? backoffDelayMs
  const lock = new AbortController()
  const context: BackupContext = { ...options.context, host: { ...options.context.host, signal: lock.signal } }
  const listeners = new Set<() => void>()

  let activity: AutoBackupActivity = 'idle'
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  let running: Promise<unknown> | undefined
  let changedWhileRunning = false

  const set = (next: AutoBackupActivity) => {
    if (next === activity) return
    activity = next
    for (const listener of listeners) listener()
    options.onUpdate?.()
  }
  const clearTimer = () => {
    clearTimeout(timer)
    timer = undefined
  }
  const schedule = (delayMs: number, next: 'scheduled' | 'retrying') => {
    clearTimer()
    timer = setTimeout(() => {
      timer = undefined
      attempt()
    }, delayMs)
    set(next)
  }
  /** Where a job leaves things: a retry after a passing failure, the next upload after a change made meanwhile, or rest. */
  const settle = (failure?: unknown) => {
    if (stopped) return
    if (failure !== undefined && isPassingUploadFailure(failure)) schedule(retryDelayMs(failures), 'retrying')
    else if (changedWhileRunning) schedule(debounceMs, 'scheduled')
    else set('idle')
  }
  /** Runs one job (an attempt, or Back up now) while no other runs. */
  const run = <T,>(job: () => Promise<T>): Promise<T> => {
    changedWhileRunning = false
    const current = job().finally(() => {
      if (running === current) running = undefined
    })
    running = current
    return current
  }

  type Outcome = { ok: true; result: UploadResult } | { ok: false; error: unknown }
  /** One upload; never throws. */
  const upload = async (replaceUnrestored: boolean): Promise<Outcome> => {
    set('uploading')
    let outcome: Outcome
    try {
      outcome = { ok: true, result: await uploadOnlineBackup(context, { replaceUnrestored }) }
      failures = 0
    } catch (error) {
      failures++
      outcome = { ok: false, error }
    }
    options.onUpdate?.()
    settle(outcome.ok ? undefined : outcome.error)
    return outcome
  }

  /** Uploads if it is on, there is something to back up and a connection; else rests in the right state. */
  const attempt = () => {
    if (stopped || running) return
    clearTimer()
    void run(async () => {
      let status: BackupStatus
      try {
        status = await readBackupStatus(options.enabledByDefault)
      } catch (error) {
        // Storage failed (the other errors of this tab show it); the next change tries again.
        return settle(error)
      }
      if (stopped) return
      if (!status.enabled || !hasChangesToBackUp(status)) return settle()
      if (!network.isOnline()) return set('waiting-for-connection')
      const outcome = await upload(false)
      // A CareKeyError is a failure of the backup, kept in its status for the screens; anything
      // else is a bug, and goes to the browser's error reporting rather than vanishing here.
      if (!outcome.ok && !isCareKeyError(outcome.error) && !stopped) {
        const bug = outcome.error
        queueMicrotask(() => {
          throw bug
        })
      }
    })
  }

  const stopListening = onLocalChange(() => {
    if (stopped) return
    if (running) changedWhileRunning = true
    // A retry already waits for the host, and a lost connection for its return: a change does not hurry them.
    else if (activity !== 'retrying' && activity !== 'waiting-for-connection') schedule(debounceMs, 'scheduled')
  })
  const stopOnline = network.onOnline(() => {
    if (activity === 'waiting-for-connection' || activity === 'retrying') attempt()
  })

  // At the unlock: what was changed and not backed up before goes now.
  attempt()

  return {
    activity: () => activity,
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    async backUpNow() {
      clearTimer()
      while (running) await running
      if (stopped) throw new WalletLockedError()
      const outcome = await run(() => upload(true))
      if (!outcome.ok) throw outcome.error
      return outcome.result
    },
    refresh() {
      if (activity === 'idle' || activity === 'scheduled' || activity === 'waiting-for-connection') attempt()
    },
    async settled() {
      while (running) await running
    },
    stop() {
      stopped = true
      clearTimer()
      stopListening()
      stopOnline()
      lock.abort()
      set('idle')
      listeners.clear()
    },
  }
}
