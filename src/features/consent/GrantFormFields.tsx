import { useId, useMemo, useState } from 'react'
import { GRANT_DURATIONS, purposeChoices, purposeOfUse, type PurposeOfUse, type PurposeOfUseEntry } from '../../domain/consent/index.ts'
import { CareKeyError } from '../../domain/errors.ts'
import { formatFhirDate } from '../../domain/fhir/display.ts'
import { MAX_LABEL_LENGTH, MIN_PASSCODE_LENGTH } from '../../domain/shl/index.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { RECORD_CATEGORIES, type RecordCategory, type RecordSummaryView } from '../records/index.ts'
import { QrScanner } from '../scan/index.ts'
import { Choice, ChoiceGroup } from './Choice.tsx'
import { listText } from './describe.ts'
import { isAboutYou, makesShare, parseRecipientAddress, type DurationChoice, type GrantForm, type GrantFormField } from './grantForm.ts'

type FieldsProps = {
  form: GrantForm
  change: (patch: Partial<GrantForm>) => void
  errors: Partial<Record<GrantFormField, string>>
}

/**
 * What to share: all my records (the default), whole categories (with how many records each
 * holds), or hand-picked records; with a part, also who the records are about (on by default). The step's heading names the group; its legend is for
 * screen readers.
 */
export function ScopeFields({ form, change, errors, summaries }: FieldsProps & { summaries: readonly RecordSummaryView[] }) {
  const errorId = useId()
  const counts = useMemo(() => {
    const map = new Map<RecordCategory, number>()
    for (const s of summaries) map.set(s.category, (map.get(s.category) ?? 0) + 1)
    return map
  }, [summaries])
  const aboutYou = summaries.filter(isAboutYou)
  const toggle = <T,>(list: readonly T[], item: T, on: boolean) => (on ? [...list, item] : list.filter((x) => x !== item))
  return (
    <ChoiceGroup legend="What to share" hideLegend error={errors.scope} errorId={errorId}>
      <div className="grid gap-2" role="radiogroup" aria-label="Share">
        <Choice
          type="radio"
          name="scope-mode"
          label="All my records"
          description={`${recordCountText(summaries.length)} now, in every category`}
          checked={form.scopeMode === 'all'}
          onChange={() => change({ scopeMode: 'all' })}
        />
        <Choice type="radio" name="scope-mode" label="Some categories" description="Allergies, medications, lab results…" checked={form.scopeMode === 'categories'} onChange={() => change({ scopeMode: 'categories' })} />
        <Choice type="radio" name="scope-mode" label="Records I pick" description="One record or a few, chosen by name." checked={form.scopeMode === 'records'} onChange={() => change({ scopeMode: 'records' })} />
      </div>
      {form.scopeMode === 'categories' && (
        <div className="grid gap-2 sm:grid-cols-2" role="group" aria-label="Categories">
          {RECORD_CATEGORIES.map((c) => (
            <Choice
              key={c.id}
              type="checkbox"
              label={c.label}
              description={recordCountText(counts.get(c.id) ?? 0)}
              checked={form.categories.includes(c.id)}
              onChange={(e) => change({ categories: toggle(form.categories, c.id, e.target.checked) })}
            />
          ))}
        </div>
      )}
      {form.scopeMode === 'records' && (
        <RecordPicker summaries={summaries.filter((s) => !isAboutYou(s))} chosen={form.recordIds} onChange={(recordIds) => change({ recordIds })} />
      )}
      {aboutYou.length > 0 && form.scopeMode !== 'all' && !(form.scopeMode === 'categories' && form.categories.includes('other')) && (
        <Choice
          type="checkbox"
          label="Who these records are about"
          description={`${listText(aboutYou.map((s) => s.title))}: name and date of birth as your records hold them, so they know whose records these are.`}
          checked={form.aboutYou}
          onChange={(e) => change({ aboutYou: e.target.checked })}
        />
      )}
    </ChoiceGroup>
  )
}

const recordCountText = (count: number) => (count === 1 ? '1 record' : `${count} records`)

const SHOWN_RECORDS = 50

function RecordPicker({ summaries, chosen, onChange }: { summaries: readonly RecordSummaryView[]; chosen: readonly string[]; onChange: (ids: string[]) => void }) {
  const [query, setQuery] = useState('')
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const matching = summaries.filter((s) => {
    const text = `${s.title} ${s.detail ?? ''} ${s.date ?? ''} ${formatFhirDate(s.date) ?? ''}`.toLowerCase()
    return words.every((w) => text.includes(w))
  })
  const label = (s: RecordSummaryView) => RECORD_CATEGORIES.find((c) => c.id === s.category)?.label ?? 'Other'
  return (
    <div className="space-y-2">
      <TextField label="Search your records" type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
      <p className="text-sm text-slate-700 dark:text-slate-300" aria-live="polite">
        {chosen.length === 1 ? '1 record chosen' : `${chosen.length} records chosen`}
        {matching.length > SHOWN_RECORDS ? `. Showing ${SHOWN_RECORDS} of ${matching.length}: search to find others.` : ''}
      </p>
      <ul className="space-y-2" aria-label="Records to choose from">
        {matching.slice(0, SHOWN_RECORDS).map((s) => (
          <li key={s.id}>
            <Choice
              type="checkbox"
              label={s.title}
              description={[label(s), formatFhirDate(s.date), s.detail].filter(Boolean).join(' · ')}
              checked={chosen.includes(s.id)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, s.id] : chosen.filter((id) => id !== s.id))}
            />
          </li>
        ))}
      </ul>
      {summaries.length === 0 && <p>There are no records in your wallet yet.</p>}
    </div>
  )
}

/** With whom: a clinician's address (typed, pasted or scanned) or whoever is shown the QR code. */
export function GranteeFields({ form, change, errors }: FieldsProps) {
  const [scanning, setScanning] = useState(false)
  const [scanError, setScanError] = useState<CareKeyError>()
  const onScanned = (text: string) => {
    setScanning(false)
    try {
      change({ address: parseRecipientAddress(text) })
      setScanError(undefined)
    } catch (error) {
      if (!(error instanceof CareKeyError)) throw error
      setScanError(new CareKeyError('That QR code does not hold an account address.', 'Ask them to show the QR code of their address, or type it.'))
    }
  }
  return (
    <ChoiceGroup legend="Who may see it" hideLegend>
      <div className="grid gap-2">
        <Choice
          type="radio"
          name="grantee-mode"
          label="Whoever I show the QR code to"
          description="For example my doctor, in the room with me: they scan your consent QR code."
          checked={form.granteeMode === 'bearer'}
          onChange={() => change({ granteeMode: 'bearer' })}
        />
        <Choice
          type="radio"
          name="grantee-mode"
          label="A clinician's address"
          description="Only the account you name can prove it is theirs."
          checked={form.granteeMode === 'address'}
          onChange={() => change({ granteeMode: 'address' })}
        />
      </div>
      {form.granteeMode === 'address' && (
        <div className="space-y-3">
          <TextField
            label="Their account address"
            hint="0x followed by 40 letters and digits. Type it, paste it, or scan their address QR code."
            value={form.address}
            onChange={(e) => change({ address: e.target.value })}
            error={errors.address}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            inputMode="text"
            className="font-mono"
          />
          {!scanning && (
            <Button variant="secondary" onClick={() => setScanning(true)}>
              Scan their address QR code
            </Button>
          )}
          {scanning && (
            <div className="space-y-2">
              <QrScanner purpose="their address QR code" onDetected={onScanned} />
              <Button variant="secondary" onClick={() => setScanning(false)}>
                Stop scanning
              </Button>
            </div>
          )}
          <ErrorMessage error={scanError} />
        </div>
      )}
      <TextField
        label="Their name (optional)"
        hint="Only for your own list on this device, and in the shared consent. Never on the network."
        value={form.granteeName}
        onChange={(e) => change({ granteeName: e.target.value })}
        error={errors.granteeName}
        autoComplete="off"
      />
    </ChoiceGroup>
  )
}

/**
 * Why: the purposes in plain words, the four most patients need first and the others behind
 * "More purposes" (open when one of them is chosen). The HL7 code a consent records is told only
 * in a disclosure.
 */
export function PurposeFields({ form, change }: FieldsProps) {
  const { common, more } = purposeChoices()
  const chosenIsMore = more.some((p) => p.code === form.purpose)
  const [showMore, setShowMore] = useState(chosenIsMore)
  const chosen = purposeOfUse(form.purpose)
  const choice = (p: PurposeOfUseEntry) => (
    <Choice
      key={p.code}
      type="radio"
      name="purpose"
      label={p.label}
      description={p.description}
      checked={form.purpose === p.code}
      onChange={() => change({ purpose: p.code satisfies PurposeOfUse })}
    />
  )
  return (
    <ChoiceGroup legend="Why" hideLegend hint="The purpose is part of your consent. It is never written on the network.">
      <div className="grid gap-2">{common.map(choice)}</div>
      <details open={showMore} onToggle={(e) => setShowMore(e.currentTarget.open)} className="space-y-2">
        <summary className="min-h-11 cursor-pointer py-2 font-medium">More purposes</summary>
        <div className="grid gap-2">{more.map(choice)}</div>
      </details>
      <details className="text-sm text-slate-700 dark:text-slate-300">
        <summary className="min-h-11 cursor-pointer py-2 font-medium">Purpose code</summary>
        <p>
          Your consent records “{chosen.label}” as the standard HL7 purpose-of-use code{' '}
          <span className="font-mono" data-testid="purpose-code">
            {chosen.code}
          </span>{' '}
          ({chosen.display}), which health systems read.
        </p>
      </details>
    </ChoiceGroup>
  )
}

const DURATION_CHOICES: { id: DurationChoice; label: string }[] = [...GRANT_DURATIONS.map((d) => ({ id: d.id, label: d.label })), { id: 'custom', label: 'Until a date I choose' }]

/** How long: 1 hour, 24 hours, 7 days, 30 days or a chosen end. */
export function DurationFields({ form, change, errors, now }: FieldsProps & { now: Date }) {
  const errorId = useId()
  return (
    <ChoiceGroup legend="For how long" hideLegend error={form.duration === 'custom' ? undefined : errors.customEnd} errorId={errorId}>
      <div className="grid gap-2 sm:grid-cols-2">
        {DURATION_CHOICES.map((d) => (
          <Choice key={d.id} type="radio" name="duration" label={d.label} checked={form.duration === d.id} onChange={() => change({ duration: d.id })} />
        ))}
      </div>
      {form.duration === 'custom' && (
        <TextField
          label="Ends on"
          type="datetime-local"
          value={form.customEnd}
          min={localInputValue(now)}
          onChange={(e) => change({ customEnd: e.target.value })}
          error={errors.customEnd}
        />
      )}
    </ChoiceGroup>
  )
}

/** The value a datetime-local input shows for a moment, in local time. */
export function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** The consent QR: on for "whoever I show it to", optional for an address; passcode and label. */
export function ShareFields({ form, change, errors }: FieldsProps) {
  const shares = makesShare(form)
  return (
    <ChoiceGroup legend="Consent QR code">
      {form.granteeMode === 'address' ? (
        <Choice
          type="checkbox"
          label="Also make a consent QR code to show them"
          description="Your chosen records are encrypted on this device and stored, unreadable, at the share host. The QR code holds the key."
          checked={form.share}
          onChange={(e) => change({ share: e.target.checked })}
        />
      ) : (
        <p className="text-slate-700 dark:text-slate-300">
          A consent QR code is made: your chosen records are encrypted on this device and stored, unreadable, at the share host. The QR
          code holds the key.
        </p>
      )}
      {shares && (
        <div className="space-y-3">
          <TextField
            label="Passcode (optional)"
            hint={`At least ${MIN_PASSCODE_LENGTH} characters. Tell it to them in person: it is not in the QR code. Too many wrong tries close the share for good.`}
            value={form.passcode}
            onChange={(e) => change({ passcode: e.target.value })}
            error={errors.passcode}
            autoComplete="off"
          />
          <TextField
            label="Label"
            hint={`Shown to whoever opens it, at most ${MAX_LABEL_LENGTH} characters. Avoid health details.`}
            value={form.label}
            maxLength={MAX_LABEL_LENGTH}
            onChange={(e) => change({ label: e.target.value })}
            error={errors.label}
            autoComplete="off"
          />
        </div>
      )}
    </ChoiceGroup>
  )
}
