import type { ConsentStatusView } from './statusView.ts'

const tones: Record<ConsentStatusView['tone'], string> = {
  success: 'border-emerald-700 bg-emerald-50 text-emerald-900 dark:border-emerald-400 dark:bg-emerald-950 dark:text-emerald-100',
  neutral: 'border-slate-500 bg-slate-100 text-slate-900 dark:border-slate-400 dark:bg-slate-800 dark:text-slate-100',
  warning: 'border-amber-700 bg-amber-50 text-amber-950 dark:border-amber-400 dark:bg-amber-950 dark:text-amber-100',
  danger: 'border-red-700 bg-red-50 text-red-900 dark:border-red-400 dark:bg-red-950 dark:text-red-100',
}

/** A shape per tone, so the badge reads without colour too. */
const icons: Record<ConsentStatusView['tone'], string> = {
  success: 'M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2Z',
  neutral: 'M8 3.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9ZM8 2a6 6 0 1 1 0 12A6 6 0 0 1 8 2Z',
  warning: 'M8 2a6 6 0 1 0 0 12V2Z M8 2a6 6 0 0 1 0 12v-1.5a4.5 4.5 0 0 0 0-9Z',
  danger: 'M3.5 4.9 4.9 3.5 8 6.6l3.1-3.1 1.4 1.4L9.4 8l3.1 3.1-1.4 1.4L8 9.4l-3.1 3.1-1.4-1.4L6.6 8Z',
}

/** A grant's status as a badge: colour and a shape, so it reads without colour too. */
export function StatusBadge({ view }: { view: Pick<ConsentStatusView, 'label' | 'tone'> & { kind: string } }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full border px-2.5 py-0.5 text-sm font-semibold whitespace-nowrap ${tones[view.tone]}`}
      data-testid="consent-status"
      data-status={view.kind}
    >
      <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3.5 fill-current">
        <path fillRule="evenodd" d={icons[view.tone]} />
      </svg>
      {view.label}
    </span>
  )
}
