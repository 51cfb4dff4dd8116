import { useId, useState } from 'react'
import { useDirtyForm } from '../../platform/index.ts'
import { Link } from '../../platform/router.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { NewPassphraseFields } from './PassphraseForm.tsx'
import { useAutoLockMinutes, useChangePassphrase, useSetAutoLockMinutes } from './hooks.ts'
import { AUTO_LOCK_CHOICES, type AutoLockMinutes } from './settings.ts'

/** Wallet settings: inactivity lock, passphrase, removal. */
export function SettingsScreen() {
  return (
    <Page title="Settings">
      <AutoLockCard />
      <ChangePassphraseCard />
      <Card title="Remove wallet">
        <p className="text-slate-700 dark:text-slate-300">Delete the wallet and all records from this device. Only your recovery phrase can bring the wallet back.</p>
        <Link to="/remove" className="inline-flex min-h-11 items-center font-semibold text-red-800 underline dark:text-red-400">
          Remove wallet from this device…
        </Link>
      </Card>
    </Page>
  )
}

function AutoLockCard() {
  const id = useId()
  const minutes = useAutoLockMinutes()
  const setMinutes = useSetAutoLockMinutes()
  return (
    <Card title="Automatic lock">
      <label htmlFor={id} className="block font-medium">
        Lock after this long without use
      </label>
      <select
        id={id}
        className="min-h-11 rounded-lg border border-slate-400 bg-white px-3 dark:border-slate-500 dark:bg-slate-900"
        value={minutes.data ?? ''}
        disabled={minutes.data === undefined}
        onChange={(e) => setMinutes.mutate(Number(e.target.value) as AutoLockMinutes)}
      >
        {AUTO_LOCK_CHOICES.map((m) => (
          <option key={m} value={m}>
            {m === 1 ? '1 minute' : `${m} minutes`}
          </option>
        ))}
      </select>
      <ErrorMessage error={setMinutes.error ?? minutes.error} />
    </Card>
  )
}

function ChangePassphraseCard() {
  const [current, setCurrent] = useState('')
  const change = useChangePassphrase()
  useDirtyForm(current !== '')
  return (
    <Card title="Change passphrase">
      {change.isSuccess && (
        <Notice tone="success">
          <p role="status">Your passphrase was changed. Use the new one next time you unlock.</p>
        </Notice>
      )}
      <NewPassphraseFields
        // A new form after each success, so the fields start empty.
        key={change.submittedAt}
        submitLabel="Change passphrase"
        busyLabel="Re-encrypting…"
        busy={change.isPending}
        onSubmit={(next) => change.mutate({ current, next }, { onSuccess: () => setCurrent('') })}
      >
        <TextField
          label="Current passphrase"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
      </NewPassphraseFields>
      <ErrorMessage error={change.error} />
    </Card>
  )
}
