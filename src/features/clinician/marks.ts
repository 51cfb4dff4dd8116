/** Set by the scan screen when it decodes a consent QR. */
export const QR_DECODED_MARK = 'carekey:qr-decoded'
/** Measured by the viewer from QR_DECODED_MARK to the verified records on screen (the benchmarks read it). */
export const SHARE_VERIFIED_MEASURE = 'carekey:share-verified'
