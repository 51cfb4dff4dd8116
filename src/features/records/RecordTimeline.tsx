import { useId, useMemo, useState } from 'react'
import { Link } from '../../platform/router.tsx'
import { categoryLabel, RECORD_CATEGORIES } from '../../domain/fhir/categories.ts'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { countByCategory, filterRecords, groupByDay, patientRecords, timelineIndex, type RecordsIndex } from '../../domain/records/search.ts'
import { Button, buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { ScreenLoading } from '../../platform/index.ts'
import { AboutYou } from './AboutYou.tsx'
import { useLastDeletion, useLoadSamplePatient, useRecordsIndex, useUndoDelete } from './hooks.ts'
import { ImportSummaryView } from './ImportSummaryView.tsx'
import { PAGE_SIZE, timelineView, type TimelineView } from './timelineView.ts'

/** Who the records are about, then the patient's records, newest first, grouped by day, with a category filter and a search. */
export function RecordTimeline() {
  const index = useRecordsIndex()
  const patients = useMemo(() => (index.data ? patientRecords(index.data) : []), [index.data])
  const timeline = useMemo(() => index.data && timelineIndex(index.data), [index.data])
  return (
    <Page
      title="Records"
      description="Your health records, encrypted on this device. Only your wallet can open them."
      actions={
        <Link to="/records/new" className={buttonClassName('primary')}>
          Add record
        </Link>
      }
    >
      <UndoDeletion />
      <nav aria-label="Records tools" className="flex flex-wrap gap-x-4 gap-y-1">
        <Link to="/records/import" className="inline-flex min-h-11 items-center font-medium text-teal-800 underline dark:text-teal-300">
          Import a FHIR file
        </Link>
        <Link to="/records/backup" className="inline-flex min-h-11 items-center font-medium text-teal-800 underline dark:text-teal-300">
          Backup and storage
        </Link>
      </nav>
      {index.isPending ? (
        <ScreenLoading />
      ) : index.isError || !timeline ? (
        <ErrorMessage error={index.error} />
      ) : (
        <>
          <AboutYou patients={patients} />
          {timeline.records.length === 0 ? <EmptyRecords index={timeline} /> : <Timeline index={timeline} />}
        </>
      )}
    </Page>
  )
}

function UndoDeletion() {
  const deletion = useLastDeletion()
  const undo = useUndoDelete()
  return (
    <div role="status" aria-live="polite">
      {deletion && (
        <Notice className="flex flex-wrap items-center justify-between gap-2">
          <span>
            Deleted “<span className="font-semibold">{deletion.summary.title}</span>”.
          </span>
          <Button variant="secondary" busy={undo.isPending} onClick={() => undo.mutate()}>
            Undo
          </Button>
        </Notice>
      )}
      <ErrorMessage error={undo.error} />
    </div>
  )
}

function EmptyRecords({ index }: { index: RecordsIndex }) {
  const sample = useLoadSamplePatient()
  return (
    <Card title="No records yet">
      <RecordsNotices index={index} />
      <p className="text-slate-700 dark:text-slate-300">
        Add your records by hand, import a FHIR file from your patient portal, or restore a backup. To look around first, load a made-up sample patient.
      </p>
      <div className="flex flex-col gap-3 sm:flex-row sm:flex-wrap">
        <Link to="/records/new" className={buttonClassName('primary')}>
          Add a record
        </Link>
        <Link to="/records/import" className={buttonClassName('secondary')}>
          Import a FHIR file
        </Link>
        <Link to="/records/backup" className={buttonClassName('secondary')}>
          Restore a backup
        </Link>
        <Button variant="secondary" busy={sample.isPending} onClick={() => sample.mutate()}>
          {sample.isPending ? 'Loading sample data…' : 'Load sample data'}
        </Button>
      </div>
      <ErrorMessage error={sample.error} />
      {sample.data && <ImportSummaryView summary={sample.data} />}
    </Card>
  )
}

/** What the records screen must say about what it shows: rows that could not be read, versions that could not be checked. */
export function RecordsNotices({ index }: { index: Pick<RecordsIndex, 'damaged' | 'versionsUnchecked'> }) {
  return (
    <>
      {index.versionsUnchecked && <VersionsUncheckedNotice />}
      {index.damaged > 0 && <DamagedNotice damaged={index.damaged} />}
    </>
  )
}

function VersionsUncheckedNotice() {
  return (
    <div role="status">
      <Notice tone="warning">
        <p className="font-semibold">CareKey could not check that these are the newest copies of your records.</p>
        <p className="mt-1 text-sm">
          The list of your records’ versions is missing or damaged. If you did not move or restore CareKey’s data yourself, restore your records from a backup.
          When you next change a record, CareKey makes a new list from the records stored here.
        </p>
      </Notice>
    </div>
  )
}

function DamagedNotice({ damaged }: { damaged: number }) {
  return (
    <Notice tone="warning">
      {damaged === 1 ? 'One stored record could not be read' : `${damaged} stored records could not be read`} (damaged, an older copy put back, or written by another wallet). The others are
      shown. Restoring a backup brings lost records back.
    </Notice>
  )
}

function Timeline({ index }: { index: RecordsIndex }) {
  const [view, setView] = useState<TimelineView>(timelineView.get)
  const update = (next: Partial<TimelineView>) => {
    const merged = { ...view, ...next }
    timelineView.set(merged)
    setView(merged)
  }
  // Filtering 10,000 summaries takes a few milliseconds: the list follows each keystroke at once.
  const query = view.query
  const categories = useMemo(() => (view.category === 'all' ? undefined : [view.category]), [view.category])
  const matches = useMemo(() => filterRecords(index, { categories, query }), [index, categories, query])
  const shown = matches.slice(0, view.limit)
  const groups = useMemo(() => groupByDay(shown), [shown])
  const counts = useMemo(() => countByCategory(index), [index])
  const searchId = useId()

  return (
    <div className="space-y-4">
      <RecordsNotices index={index} />
      <div className="space-y-1">
        <label htmlFor={searchId} className="block font-medium">
          Search records
        </label>
        <input
          id={searchId}
          type="search"
          value={view.query}
          onChange={(e) => update({ query: e.target.value, limit: PAGE_SIZE })}
          placeholder="A test, a medicine, a doctor…"
          autoComplete="off"
          className="block min-h-11 w-full rounded-lg border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 placeholder:text-slate-500 focus-visible:outline-3 focus-visible:outline-offset-1 focus-visible:outline-teal-600 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-400"
        />
      </div>
      {/* Wrapped, not scrolled: on a phone every category is in sight, none hidden past the edge. */}
      <div role="group" aria-label="Show category" className="flex flex-wrap gap-2">
        <CategoryChip label="All" count={index.records.length} pressed={view.category === 'all'} onPress={() => update({ category: 'all', limit: PAGE_SIZE })} />
        {RECORD_CATEGORIES.filter((c) => counts.has(c.id)).map((c) => (
          <CategoryChip
            key={c.id}
            label={c.label}
            count={counts.get(c.id) ?? 0}
            pressed={view.category === c.id}
            onPress={() => update({ category: c.id, limit: PAGE_SIZE })}
          />
        ))}
      </div>
      <p role="status" aria-live="polite" className="text-sm text-slate-700 dark:text-slate-300" data-testid="records-count">
        {matches.length === 0
          ? 'No records match.'
          : shown.length < matches.length
            ? `Showing ${shown.length} of ${matches.length} records.`
            : `${matches.length} ${matches.length === 1 ? 'record' : 'records'}.`}
      </p>
      {groups.map((group) => (
        <section key={group.key} aria-labelledby={`day-${group.key}`} className="space-y-2">
          <h2 id={`day-${group.key}`} className="sticky top-0 bg-slate-50/95 py-1 text-sm font-semibold tracking-wide text-slate-600 uppercase dark:bg-slate-950/95 dark:text-slate-300">
            {group.label}
          </h2>
          <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white dark:divide-slate-700 dark:border-slate-700 dark:bg-slate-900">
            {group.records.map((record) => (
              <RecordRow key={record.id} record={record} />
            ))}
          </ul>
        </section>
      ))}
      {shown.length < matches.length && (
        <Button variant="secondary" className="w-full" onClick={() => update({ limit: view.limit + PAGE_SIZE })}>
          Show {Math.min(PAGE_SIZE, matches.length - shown.length)} more
        </Button>
      )}
    </div>
  )
}

function CategoryChip({ label, count, pressed, onPress }: { label: string; count: number; pressed: boolean; onPress: () => void }) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={onPress}
      className={`inline-flex min-h-11 shrink-0 items-center gap-2 rounded-full border px-4 font-medium whitespace-nowrap focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600 ${
        pressed
          ? 'border-teal-700 bg-teal-700 text-white dark:border-teal-400 dark:bg-teal-400 dark:text-slate-950'
          : 'border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700'
      }`}
    >
      {label}
      <span className="text-sm font-normal">{count}</span>
    </button>
  )
}

function RecordRow({ record }: { record: RecordSummary }) {
  return (
    <li>
      <Link
        to="/records/$recordId"
        params={{ recordId: record.id }}
        className="flex min-h-11 flex-col gap-0.5 px-4 py-3 hover:bg-slate-50 focus-visible:outline-3 focus-visible:-outline-offset-3 focus-visible:outline-teal-600 dark:hover:bg-slate-800"
      >
        <strong className="font-semibold break-words text-slate-900 dark:text-slate-50">{record.title}</strong>
        <span className="text-sm break-words text-slate-700 dark:text-slate-300">
          <span className="font-medium">{categoryLabel(record.category)}</span>
          {record.detail ? ` · ${record.detail}` : ''}
        </span>
      </Link>
    </li>
  )
}

