import type { QueryClient } from '@tanstack/react-query'
import type { LocalAccount } from 'viem'
import { backupSignerKey } from '../../domain/backup/hostBackup.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { appConfig } from '../../platform/config.ts'
import { onLocalChange } from '../../storage/localChanges.ts'
import { buildBackupBytes, readBackupSummary, restoreBackup } from '../records/index.ts'
import { setAutoBackupActivity } from './activity.ts'
import { createAutoBackup, type AutoBackup } from './autoBackup.ts'
import { uploadOnlineBackup, type BackupContext, type UploadResult } from './backupActions.ts'
import { AUTO_BACKUP_BY_DEFAULT, backupKeys } from './queries.ts'

/*
 * The online backup of the unlocked wallet: its context (this build's share host, the wallet's
 * backup key, the records' backup file) and its one automatic backup, from the unlock to the lock.
 */

const signers = new WeakMap<WalletKeys, Promise<LocalAccount>>()

/**
 * The workflows' context for these keys: derives the backup signing key once per unlock.
 *
 * @example
 * await findOnlineBackup(backupContextFor(keys))
 */
export function backupContextFor(keys: WalletKeys): BackupContext {
  return {
    host: { hostUrl: appConfig.shareHostUrl },
    signer: () => {
      let signer = signers.get(keys)
      if (!signer) {
        signer = backupSignerKey(keys.root)
        signers.set(keys, signer)
      }
      return signer
    },
    buildBackup: buildBackupBytes,
    readSummary: readBackupSummary,
    restore: restoreBackup,
  }
}

let running: { keys: WalletKeys; auto: AutoBackup } | undefined

/**
 * Starts the automatic backup of these unlocked keys (stopping any other first); the status
 * query is refreshed as it works and as local changes are made. Returns the function that stops
 * it (at the lock).
 *
 * @example
 * useEffect(() => (keys ? startAutoBackup(keys, queryClient) : undefined), [keys, queryClient])
 */
export function startAutoBackup(keys: WalletKeys, queryClient: QueryClient): () => void {
  running?.auto.stop()
  const refresh = () => void queryClient.invalidateQueries({ queryKey: backupKeys.status() })
  const auto = createAutoBackup({ context: backupContextFor(keys), enabledByDefault: AUTO_BACKUP_BY_DEFAULT, onUpdate: refresh })
  const stopActivity = auto.subscribe(() => setAutoBackupActivity(auto.activity()))
  const stopChanges = onLocalChange(refresh)
  running = { keys, auto }
  setAutoBackupActivity(auto.activity())
  return () => {
    stopChanges()
    stopActivity()
    auto.stop()
    if (running?.auto === auto) running = undefined
    setAutoBackupActivity('idle')
  }
}

/**
 * Backs up now, through the running automatic backup when it serves these keys (after the
 * upload under way), else directly. Replaces a backup this device never restored.
 *
 * @example
 * const { version } = await backUpNow(keys)
 */
export function backUpNow(keys: WalletKeys): Promise<UploadResult> {
  if (running?.keys === keys) return running.auto.backUpNow()
  return uploadOnlineBackup(backupContextFor(keys), { replaceUnrestored: true })
}

/** Tells the running automatic backup that its settings changed (the switch). */
export function refreshAutoBackup(): void {
  running?.auto.refresh()
}
