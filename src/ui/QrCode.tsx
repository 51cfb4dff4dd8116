import { useMemo } from 'react'
import { create, type QRCodeErrorCorrectionLevel } from 'qrcode'

/**
 * A QR code drawn as SVG (sharp at any size, no canvas). Dark modules on white with a quiet
 * zone, whatever the colour scheme, so phone cameras read it in any light.
 */
export function QrCode({
  value,
  label,
  errorCorrection = 'M',
  className = '',
}: {
  value: string
  /** What the code holds, for screen readers. */
  label: string
  errorCorrection?: QRCodeErrorCorrectionLevel
  className?: string
}) {
  const { size, path } = useMemo(() => qrPath(value, errorCorrection), [value, errorCorrection])
  const quiet = 4
  const full = size + quiet * 2
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${full} ${full}`}
      shapeRendering="crispEdges"
      className={`bg-white ${className}`}
    >
      <rect width={full} height={full} fill="#fff" />
      <path d={path} transform={`translate(${quiet} ${quiet})`} fill="#000" />
    </svg>
  )
}

function qrPath(value: string, errorCorrectionLevel: QRCodeErrorCorrectionLevel) {
  const qr = create(value, { errorCorrectionLevel })
  const size = qr.modules.size
  const data = qr.modules.data
  let path = ''
  for (let y = 0; y < size; y++) {
    let x = 0
    while (x < size) {
      if (!data[y * size + x]) {
        x++
        continue
      }
      const start = x
      while (x < size && data[y * size + x]) x++
      path += `M${start} ${y}h${x - start}v1h${start - x}z`
    }
  }
  return { size, path }
}
