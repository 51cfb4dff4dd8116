/** Shown while a lazy screen loads. */
export function ScreenLoading() {
  return (
    <div className="flex justify-center p-10" role="status">
      <span className="sr-only">Loading…</span>
      <span aria-hidden="true" className="size-8 animate-spin rounded-full border-4 border-teal-700 border-t-transparent" />
    </div>
  )
}
