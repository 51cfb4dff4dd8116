import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react'
import { CareKeyError } from '../../domain/errors.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { closeCamera, hasTorch, listCameras, openCamera, setTorch, type CameraInfo } from './camera.ts'
import { pixelsOf } from './pixels.ts'
import { QrScannerFrame } from './QrScannerFrame.tsx'
import { FRAME_VARIANTS, loadQrDecoder, readQrPicture, readQrVariant } from './qrDecoder.ts'

export class NoQrInImageError extends CareKeyError {
  constructor() {
    super('No QR code was found in that picture.', 'Choose a sharper picture in which the whole code is visible, or paste the link instead.')
  }
}

/** The name of the performance measure recorded for each decoded camera frame. */
export const QR_DECODE_MEASURE = 'carekey:qr-decode'

/** Time between decode attempts: fast enough to feel instant, light enough for a cheap phone. */
const SCAN_INTERVAL_MS = 120

type Phase = 'starting' | 'scanning' | 'stopped'

/**
 * Reads a QR code with the camera (switch cameras, torch where the phone has one) or from a
 * chosen picture, and hands its text to `onDetected`. Stops the camera as soon as a code is read
 * and whenever it is unmounted.
 */
export function QrScanner({ onDetected, purpose }: { onDetected: (text: string) => void; purpose: string }) {
  const video = useRef<HTMLVideoElement>(null)
  const [phase, setPhase] = useState<Phase>('starting')
  const [error, setError] = useState<unknown>()
  const [cameras, setCameras] = useState<CameraInfo[]>([])
  const [cameraId, setCameraId] = useState<string>()
  const [stream, setStream] = useState<MediaStream>()
  const [torchOn, setTorchOn] = useState(false)
  const fileId = useId()
  const cameraSelectId = useId()
  const active = phase !== 'stopped'
  // The latest callback, read when a code is found, so a new callback does not restart the camera.
  const onDetectedRef = useRef(onDetected)
  useEffect(() => {
    onDetectedRef.current = onDetected
  })

  // The camera is an external system: open it while scanning, close it on every way out.
  useEffect(() => {
    if (!active) return
    let cancelled = false
    let opened: MediaStream | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const run = async () => {
      try {
        const media = await openCamera(cameraId)
        opened = media
        if (cancelled) return closeCamera(media)
        // The decoder (the bundled one is a 1 MB WebAssembly file) loads once there is a camera to
        // read: a screen without one (or with the camera refused) never fetches it.
        const decoder = await loadQrDecoder()
        if (cancelled) return
        setStream(media)
        const element = video.current
        if (!element) return
        element.srcObject = media
        await element.play()
        setCameras(await listCameras())
        setPhase('scanning')
        // Frames are read as seen and enhanced in turn: a hard code costs one frame more, an
        // easy one no time at all.
        let attempt = 0
        const tick = async () => {
          if (cancelled) return
          if (element.readyState >= element.HAVE_CURRENT_DATA) {
            const started = performance.now()
            const variant = FRAME_VARIANTS[attempt++ % FRAME_VARIANTS.length] ?? 'as-seen'
            const text = await readQrVariant(decoder, element, variant, pixelsOf)
            // A user-timing entry per decoded frame: the benchmarks and tests read it, browsers' dev tools show it.
            performance.measure(QR_DECODE_MEASURE, { start: started, detail: { engine: decoder.engine, variant, found: Boolean(text) } })
            if (cancelled) return
            if (text) {
              closeCamera(media)
              setPhase('stopped')
              onDetectedRef.current(text)
              return
            }
          }
          timer = setTimeout(() => void tick(), SCAN_INTERVAL_MS)
        }
        await tick()
      } catch (e) {
        if (!cancelled) {
          setError(e)
          setPhase('stopped')
        }
      }
    }
    void run()
    return () => {
      cancelled = true
      clearTimeout(timer)
      closeCamera(opened)
      setStream(undefined)
    }
  }, [active, cameraId])

  const readPicture = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    setError(undefined)
    try {
      const text = await readQrPicture(await loadQrDecoder(), file, pixelsOf)
      if (!text) throw new NoQrInImageError()
      setPhase('stopped')
      onDetected(text)
    } catch (e) {
      setError(e)
    }
  }

  const toggleTorch = async () => {
    if (!stream) return
    try {
      await setTorch(stream, !torchOn)
      setTorchOn(!torchOn)
    } catch (e) {
      setError(new CareKeyError('The torch could not be switched.', 'Use the room light instead.', { cause: e }))
    }
  }

  return (
    <QrScannerFrame
      camera={
        <>
            <video
              ref={video}
              muted
              playsInline
              aria-label={`Camera view for scanning ${purpose}`}
              className={`h-full w-full object-cover ${phase === 'scanning' ? '' : 'opacity-40'}`}
            />
            {phase === 'scanning' && (
              <div aria-hidden="true" className="pointer-events-none absolute inset-[15%] rounded-lg border-4 border-white/80" />
            )}
        </>
      }
      problem={error ? <ErrorMessage error={error} /> : undefined}
      status={phase === 'starting' ? 'Starting the camera…' : phase === 'scanning' ? `Point the camera at ${purpose}.` : 'Camera off.'}
      controls={
        <>
          {phase === 'stopped' ? (
            <Button
              variant="secondary"
              onClick={() => {
                setError(undefined)
                setPhase('starting')
              }}
            >
              Scan with the camera
            </Button>
          ) : (
            <Button variant="secondary" onClick={() => setPhase('stopped')}>
              Stop camera
            </Button>
          )}
          {cameras.length > 1 && phase === 'scanning' && (
            <div>
              <label htmlFor={cameraSelectId} className="block text-sm font-medium">
                Camera
              </label>
              <select
                id={cameraSelectId}
                className="min-h-11 rounded-lg border border-slate-400 bg-white px-3 dark:border-slate-500 dark:bg-slate-900"
                value={cameraId ?? stream?.getVideoTracks()[0]?.getSettings().deviceId ?? ''}
                onChange={(e) => setCameraId(e.target.value)}
              >
                {cameras.map((c) => (
                  <option key={c.deviceId} value={c.deviceId}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
          )}
          {hasTorch(stream) && (
            <Button variant="secondary" aria-pressed={torchOn} onClick={() => void toggleTorch()}>
              Torch
            </Button>
          )}
          <div>
            <label htmlFor={fileId} className="inline-flex min-h-11 cursor-pointer items-center rounded-lg border border-slate-300 bg-white px-4 font-semibold focus-within:outline-3 focus-within:outline-teal-600 dark:border-slate-600 dark:bg-slate-800">
              Choose a picture of the code
            </label>
            <input id={fileId} type="file" accept="image/*" className="sr-only" onChange={(e) => void readPicture(e)} />
          </div>
        </>
      }
    />
  )
}
