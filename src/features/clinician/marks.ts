/** Set by the scan screen when it decodes a consent QR. */
export const QR_DECODED_MARK = 'carekey:qr-decoded'
/** Measured by the viewer from QR_DECODED_MARK to the verified records on screen (the benchmarks read it). */
export const SHARE_VERIFIED_MEASURE = 'carekey:share-verified'
/** Measured by the viewer from QR_DECODED_MARK to the consent checked (read from the share host, active on chain) and the open form shown. */
export const SHARE_CHECKED_MEASURE = 'carekey:share-checked'
/** Set by the viewer when the clinician presses "Open records" with the form filled in. */
export const SHARE_OPEN_MARK = 'carekey:share-open'
/** Measured by the viewer from SHARE_OPEN_MARK to the opened records on screen. */
export const SHARE_OPENED_MEASURE = 'carekey:share-opened'

/**
 * Records the user-timing measure `measure` from the latest `mark` to now, when that mark was
 * set in this page (a scanned link, not a pasted one). Browsers' dev tools show these entries;
 * the benchmarks read them.
 */
export function measureSince(mark: string, measure: string): void {
  if (performance.getEntriesByName(mark, 'mark').length > 0) performance.measure(measure, mark)
}
