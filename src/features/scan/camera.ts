import { CareKeyError } from '../../domain/errors.ts'

export class CameraPermissionError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'CareKey is not allowed to use the camera.',
      'Allow camera access for this site in the browser’s settings, or paste the link or choose a photo of the code instead.',
      options,
    )
  }
}

export class NoCameraError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('No camera was found on this device.', 'Paste the link, or choose a photo of the QR code instead.', options)
  }
}

export class CameraBusyError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('The camera is in use by another app or tab.', 'Close the other app or tab that uses the camera, then try again.', options)
  }
}

export class CameraNeedsSecureContextError extends CareKeyError {
  constructor() {
    super('The camera only works when CareKey is opened over HTTPS.', 'Open CareKey from its https:// address, or paste the link instead.')
  }
}

export type CameraInfo = { deviceId: string; label: string }

/**
 * Opens a camera: the given one, else the back camera where there is one (phones), at a
 * resolution that reads dense QR codes.
 */
export async function openCamera(deviceId?: string): Promise<MediaStream> {
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) throw new CameraNeedsSecureContextError()
  const video: MediaTrackConstraints = {
    width: { ideal: 1280 },
    height: { ideal: 720 },
    ...(deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: 'environment' } }),
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ video, audio: false })
  } catch (error) {
    throw toCameraError(error)
  }
}

/** The cameras the browser will name (labels appear once permission was granted). */
export async function listCameras(): Promise<CameraInfo[]> {
  const devices = await navigator.mediaDevices.enumerateDevices()
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }))
}

/** Stops every track of a stream, so the camera light goes off. */
export function closeCamera(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop()
}

/** Whether the stream's camera has a torch the page can switch. */
export function hasTorch(stream: MediaStream | undefined): boolean {
  const track = stream?.getVideoTracks()[0]
  if (!track || typeof track.getCapabilities !== 'function') return false
  return 'torch' in track.getCapabilities()
}

export async function setTorch(stream: MediaStream, on: boolean): Promise<void> {
  const track = stream.getVideoTracks()[0]
  // `torch` is a standard image-capture constraint that TypeScript's DOM types do not list yet.
  await track?.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] })
}

function toCameraError(error: unknown): unknown {
  const name = error instanceof DOMException || error instanceof Error ? error.name : ''
  if (name === 'NotAllowedError' || name === 'SecurityError') return new CameraPermissionError({ cause: error })
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new NoCameraError({ cause: error })
  if (name === 'NotReadableError' || name === 'AbortError') return new CameraBusyError({ cause: error })
  return error
}
